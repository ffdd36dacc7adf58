namespace XenMm.Cli.Heatmap;

/// <summary>
/// What a heat map is drawn on: SVG text or a raster image. Coordinates are the SVG's user units; the semantic
/// arguments (classes, categories, tooltips) are kept by SVG and ignored by a raster.
/// </summary>
internal interface IHeatCanvas
{
    void Begin(int width, int height, string background);

    void Text(double x, double y, string text, double size, bool alignEnd = false);

    void Rect(double x, double y, double width, double height, string fill, string? stroke = null, double strokeWidth = 0, string? cssClass = null);

    /// <summary>A dot; <paramref name="category"/> makes it a mark of that category, with <paramref name="title"/> as its tooltip.</summary>
    void Circle(double cx, double cy, double r, string fill, string stroke, double strokeWidth, string? category = null, string? title = null);

    void BeginGroup(string cssClass, bool crispEdges = false);

    void EndGroup();
}
