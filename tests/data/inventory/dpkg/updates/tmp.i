Package: ignored
