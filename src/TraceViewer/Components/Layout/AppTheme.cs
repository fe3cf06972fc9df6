using MudBlazor;

namespace TraceViewer.Components.Layout;

/// <summary>
/// The MudBlazor theme: a teal primary that is neither a direction nor a study colour (see <see cref="ProductColors"/>),
/// the system font stack (nothing is fetched from a font service), and a light and a dark palette.
/// </summary>
internal static class AppTheme
{
    /// <summary>Name of the cascading value the layout gives its pages: true in the dark theme (charts follow it).</summary>
    public const string DarkModeName = "DarkMode";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0f766e",
            Secondary = "#475569",
            AppbarBackground = "#ffffff",
            AppbarText = "#1f2328",
            Background = "#fbfbfc",
            TextPrimary = "#1f2328",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#2dd4bf",
            Secondary = "#94a3b8",
            AppbarBackground = "#1b1e24",
            Background = "#121417",
            Surface = "#1b1e24",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
            },
            Button = new ButtonTypography { TextTransform = "none" },
        },
        LayoutProperties = new LayoutProperties { AppbarHeight = "56px" },
    };
}
