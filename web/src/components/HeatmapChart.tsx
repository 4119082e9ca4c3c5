/**
 * The heatmap drawn by Apache ECharts: only its core, the heatmap series, the grid, tooltip and continuous
 * visual map, and the canvas renderer, so the chunk stays small. Loaded lazily (see SweepHeatmap).
 */
import { HeatmapChart as HeatmapSeries, type HeatmapSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
  type GridComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { formatNumber, formatValue } from '../format';
import type { SweepHeatmap } from '../types';

use([HeatmapSeries, GridComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

type HeatmapOption = ComposeOption<HeatmapSeriesOption | GridComponentOption | TooltipComponentOption | VisualMapComponentOption>;

/** Viridis: ordered by lightness, readable in grey and by the colour-blind; it says nothing of good or bad. */
const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];
/** Above this share of the scale the cells are light: their numbers are written dark. */
const LIGHT_CELLS_FROM = 0.62;
/** Width of a character of the axis labels (11 px sans-serif), to keep the y axis's name clear of them. */
const LABEL_CHARACTER_WIDTH = 7;
/** More cells than this and the numbers would not fit: the tooltip tells them. */
const MAX_LABELLED_CELLS = 300;

function optionOf(heatmap: SweepHeatmap): HeatmapOption {
  const values = heatmap.z.flat().filter((value): value is number => value !== null && Number.isFinite(value));
  const low = Math.min(...values);
  const high = Math.max(...values);
  const span = high > low ? high - low : 1;
  const labelled = heatmap.x_values.length * heatmap.y_values.length <= MAX_LABELLED_CELLS;
  const data = heatmap.z.flatMap((row, y) =>
    row.flatMap((value, x) =>
      value === null ? [] : [{ value: [x, y, value], label: { color: (value - low) / span >= LIGHT_CELLS_FROM ? '#1d2329' : '#ffffff' } }],
    ),
  );
  const xLabels = heatmap.x_values.map(formatValue);
  const yLabels = heatmap.y_values.map(formatValue);
  // The y axis's name stands left of its longest value label.
  const yNameGap = 14 + LABEL_CHARACTER_WIDTH * Math.max(...yLabels.map((label) => label.length));
  const axisName = { nameLocation: 'middle' as const, nameTextStyle: { color: '#1d2329', fontWeight: 600 as const, fontSize: 12 } };
  return {
    animation: false,
    textStyle: { fontFamily: 'system-ui, sans-serif' },
    grid: { left: yNameGap + 24, right: 120, top: 12, bottom: 48 },
    tooltip: {
      position: 'top',
      formatter: (params) => {
        const [x, y, value] = (Array.isArray(params) ? params[0] : params).value as number[];
        return `${heatmap.x} ${xLabels[x]}<br>${heatmap.y} ${yLabels[y]}<br><b>${heatmap.metric} ${formatNumber(value)}</b>`;
      },
    },
    xAxis: { type: 'category', data: xLabels, name: heatmap.x, nameGap: 28, ...axisName, splitArea: { show: true } },
    yAxis: { type: 'category', data: yLabels, name: heatmap.y, nameGap: yNameGap, ...axisName, splitArea: { show: true } },
    visualMap: {
      type: 'continuous',
      min: low,
      max: high > low ? high : low + 1,
      calculable: false,
      orient: 'vertical',
      right: 16,
      top: 'middle',
      itemWidth: 14,
      itemHeight: 140,
      text: [formatNumber(high), formatNumber(low)],
      textGap: 6,
      textStyle: { color: '#1d2329', fontSize: 11 },
      inRange: { color: VIRIDIS },
    },
    series: [
      {
        type: 'heatmap',
        name: heatmap.metric,
        data,
        label: { show: labelled, fontSize: 11, formatter: (params) => formatNumber((params.value as number[])[2]) },
        itemStyle: { borderColor: '#ffffff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#1d2329', borderWidth: 2 } },
      },
    ],
  };
}

/** The chart's height: room for each row's label, within what a 800-pixel window shows beside the controls. */
const heightOf = (rows: number) => Math.min(460, Math.max(220, 70 + rows * 30));

export default function HeatmapChart({ heatmap }: { heatmap: SweepHeatmap }) {
  const container = useRef<HTMLDivElement>(null);
  const hasValues = heatmap.z.some((row) => row.some((value) => value !== null));

  useEffect(() => {
    if (!hasValues) return;
    const chart = init(container.current!, undefined, { renderer: 'canvas' });
    chart.setOption(optionOf(heatmap));
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(container.current!);
    return () => {
      resize.disconnect();
      chart.dispose();
    };
  }, [heatmap, hasValues]);

  return (
    <div
      ref={container}
      className="heatmap-chart"
      style={{ height: heightOf(heatmap.y_values.length) }}
      data-testid="heatmap-chart"
      data-x={heatmap.x}
      data-y={heatmap.y}
      data-metric={heatmap.metric}
      data-columns={heatmap.x_values.length}
      data-rows={heatmap.y_values.length}
    >
      {!hasValues && <div className="hint">No combination has a value of {heatmap.metric} here.</div>}
    </div>
  );
}
