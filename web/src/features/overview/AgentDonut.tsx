import { Pie, PieChart, ResponsiveContainer } from "recharts";
import { useChartColors } from "./chartColors";

/** Agents per status as a donut with the total in its middle; the legend beside it carries the numbers. */
export function AgentDonut({ online, offline, revoked }: { online: number; offline: number; revoked: number }) {
  const colors = useChartColors();
  const total = online + offline + revoked;
  const slices = [
    { name: "Online", value: online, fill: colors.ok },
    { name: "Offline", value: offline, fill: colors.warn },
    { name: "Revoked", value: revoked, fill: colors.muted },
  ].filter((slice) => slice.value > 0);
  return (
    <div
      role="img"
      aria-label={`Donut chart of ${total} agents: ${online} online, ${offline} offline, ${revoked} revoked`}
      className="relative h-36 w-36 shrink-0"
    >
      <ResponsiveContainer width="100%" height="100%">
        <PieChart accessibilityLayer={false}>
          <Pie
            data={slices}
            dataKey="value"
            nameKey="name"
            innerRadius="62%"
            outerRadius="100%"
            // A lone full circle has no gap to draw; its stroke would show as a seam at 3 o'clock.
            stroke={slices.length > 1 ? colors.panel : "none"}
            strokeWidth={2}
            isAnimationActive={false}
          />
        </PieChart>
      </ResponsiveContainer>
      <span
        aria-hidden="true"
        className="absolute inset-0 flex items-center justify-center text-2xl font-semibold tabular-nums"
      >
        {total.toLocaleString()}
      </span>
    </div>
  );
}
