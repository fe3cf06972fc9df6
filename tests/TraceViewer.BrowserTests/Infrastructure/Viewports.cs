using Microsoft.Playwright;

namespace TraceViewer.BrowserTests;

/// <summary>The two screens every page is checked on: a laptop and a phone.</summary>
public static class Viewports
{
    public const string Laptop = "laptop";

    public const string Phone = "phone";

    public static ViewportSize Size(string viewport) => viewport switch
    {
        Laptop => new ViewportSize { Width = 1440, Height = 900 },
        Phone => new ViewportSize { Width = 390, Height = 844 },
        _ => throw new ArgumentOutOfRangeException(nameof(viewport), viewport, "laptop or phone"),
    };
}
