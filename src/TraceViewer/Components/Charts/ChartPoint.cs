namespace TraceViewer.Components.Charts;

/// <summary>A point the reader clicked or hovered: which trace of the chart's data, and which point of it.</summary>
public readonly record struct ChartPoint(int Trace, int Point);
