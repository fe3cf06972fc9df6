namespace TraceViewer.Components.Layout;

/// <summary>
/// Components a feature shows above the body of every page of the app (not on share-link pages), registered by the
/// feature, so the layout names no feature above it.
/// </summary>
internal sealed class LayoutParts(IEnumerable<LayoutPart> parts)
{
    public IReadOnlyList<Type> AboveBody { get; } = [.. parts.Select(p => p.Component)];
}

/// <summary>One component shown above every page's body.</summary>
internal sealed record LayoutPart(Type Component);
