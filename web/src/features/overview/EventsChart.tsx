import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useChartColors } from "./chartColors";
import { describeHours, type HourRow } from "./derive";

/** The bar chart, with its content as a visible sentence and as a table for screen readers. */
export function EventsChart({ rows }: { rows: HourRow[] }) {
  const colors = useChartColors();
  const description = describeHours(rows);
  const axisTick = { fill: colors.muted, fontSize: 12 };
  return (
    <figure>
      {/* A fixed height: the chart measures its box, and a box of height 0 draws nothing. */}
      <div role="img" aria-label="Bar chart of events per hour" className="h-56 w-full">
        <ResponsiveContainer width="100%" height="100%">
          {/* The table below is the keyboard and screen-reader view, so the chart's own focusable layer is off. */}
          <BarChart data={rows} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid vertical={false} stroke={colors.line} />
            <XAxis dataKey="label" tick={axisTick} stroke={colors.line} tickLine={false} minTickGap={16} />
            <YAxis allowDecimals={false} tick={axisTick} axisLine={false} tickLine={false} width="auto" />
            <Tooltip
              cursor={{ fill: colors.raised, stroke: "none" }}
              separator=": "
              contentStyle={{ background: colors.panel, border: `1px solid ${colors.line}`, borderRadius: 6 }}
              labelStyle={{ color: colors.muted }}
              itemStyle={{ color: colors.ink }}
              labelFormatter={(label) => `Hour from ${String(label)}`}
            />
            <Bar dataKey="count" name="Events" fill={colors.accent} radius={[2, 2, 0, 0]} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="mt-2 text-sm text-muted">{description}</figcaption>
      <table className="sr-only">
        <caption>Events per hour</caption>
        <thead>
          <tr>
            <th scope="col">Hour from</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.start}>
              <td>{row.label}</td>
              <td>{row.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
