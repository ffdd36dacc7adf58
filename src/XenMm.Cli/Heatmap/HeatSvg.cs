using System.Globalization;
using System.Security;
using System.Text;

namespace XenMm.Cli.Heatmap;

/// <summary>
/// Writes a <see cref="HeatGrid"/> as SVG by hand (<see cref="HeatPicture"/>): cells in <c>&lt;g class="cells"&gt;</c>,
/// marks as <c>&lt;circle class="mark" data-category="..."&gt;</c> with a <c>&lt;title&gt;</c> tooltip.
/// </summary>
internal sealed class HeatSvg : IHeatCanvas
{
    private readonly StringBuilder _svg = new();

    public static string Write(HeatGrid grid)
    {
        var canvas = new HeatSvg();
        HeatPicture.Draw(grid, canvas);
        canvas.Line("</svg>");
        return canvas._svg.ToString();
    }

    public void Begin(int width, int height, string background)
    {
        Line($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"{HeatPicture.TextSize}\">");
        Line($"<rect width=\"{width}\" height=\"{height}\" fill=\"{background}\"/>");
    }

    public void Text(double x, double y, string text, double size, bool alignEnd = false) =>
        Line($"<text x=\"{F(x)}\" y=\"{F(y)}\"{(alignEnd ? " text-anchor=\"end\"" : "")}{(size == HeatPicture.TextSize ? "" : $" font-size=\"{F(size)}\"")}>{Esc(text)}</text>");

    public void Rect(double x, double y, double width, double height, string fill, string? stroke = null, double strokeWidth = 0, string? cssClass = null) =>
        Line($"<rect{(cssClass is null ? "" : $" class=\"{cssClass}\"")} x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(width)}\" height=\"{F(height)}\" fill=\"{fill}\"" +
            (stroke is null ? "/>" : $" stroke=\"{stroke}\" stroke-width=\"{F(strokeWidth)}\"/>"));

    public void Circle(double cx, double cy, double r, string fill, string stroke, double strokeWidth, string? category = null, string? title = null)
    {
        var circle = $"<circle{(category is null ? "" : $" class=\"mark\" data-category=\"{Esc(category)}\"")} cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{F(strokeWidth)}\"";
        Line(title is null ? circle + "/>" : $"{circle}><title>{Esc(title)}</title></circle>");
    }

    public void BeginGroup(string cssClass, bool crispEdges = false) =>
        Line($"<g class=\"{cssClass}\"{(crispEdges ? " shape-rendering=\"crispEdges\"" : "")}>");

    public void EndGroup() => Line("</g>");

    private void Line(string text) => _svg.Append(text).Append('\n');

    private static string Esc(string text) => SecurityElement.Escape(text);

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
