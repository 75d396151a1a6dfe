// Writes FILE.gz (gzip level 9) next to each text asset in dist/assets/ after `vite build`, so the
// gateway can send precompressed bytes to browsers that accept gzip without compressing per
// request. index.html stays uncompressed: it is tiny and revalidated on each load.
//
//   node scripts/compress.mjs            (run by `npm run build`)
//
// A .gz that would not be smaller is not written (and a stale one is removed): the gateway serves
// the plain file whenever no .gz exists.
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";

const assetsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "assets");
const compressible = [".js", ".css", ".svg", ".json"];

/** Every regular file under `dir`, recursively. */
async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

let written = 0;
let before = 0;
let after = 0;
for await (const file of walk(assetsDir)) {
  if (!compressible.some((extension) => file.endsWith(extension))) continue;
  const original = await readFile(file);
  const compressed = gzipSync(original, { level: constants.Z_BEST_COMPRESSION });
  if (compressed.length < original.length) {
    await writeFile(`${file}.gz`, compressed);
    written += 1;
    before += original.length;
    after += compressed.length;
  } else {
    await rm(`${file}.gz`, { force: true });
  }
}
console.log(
  `compress: ${written} file(s) in ${relative(process.cwd(), assetsDir) || "."}: ` +
    `${(before / 1024).toFixed(1)} kB -> ${(after / 1024).toFixed(1)} kB gzip`,
);
