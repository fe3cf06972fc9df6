using Plotly.Blazor.LayoutLib;
using PlotlyLayout = Plotly.Blazor.Layout;

namespace TraceViewer.Components.Charts;

/// <summary>Chart colours that follow the light or dark theme: transparent backgrounds, readable text and grid lines.</summary>
internal static class ChartTheme
{
    public static PlotlyLayout Apply(PlotlyLayout layout, bool dark)
    {
        var text = dark ? "#e6e6e6" : "#1f2328";
        var grid = dark ? "rgba(255, 255, 255, 0.12)" : "rgba(0, 0, 0, 0.08)";
        layout.PaperBgColor = "rgba(0, 0, 0, 0)";
        layout.PlotBgColor = "rgba(0, 0, 0, 0)";
        layout.Font ??= new Font();
        layout.Font.Color = text;
        layout.Font.Family ??= "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
        layout.Margin ??= new Margin { L = 48, R = 12, T = 12, B = 40 };
        foreach (var axis in layout.XAxis ?? [])
        {
            axis.GridColor = grid;
            axis.ZeroLineColor = grid;
        }

        foreach (var axis in layout.YAxis ?? [])
        {
            axis.GridColor = grid;
            axis.ZeroLineColor = grid;
        }

        return layout;
    }
}
