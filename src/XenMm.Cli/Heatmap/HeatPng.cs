using SkiaSharp;

namespace XenMm.Cli.Heatmap;

/// <summary>
/// Draws a <see cref="HeatGrid"/> as a PNG through SkiaSharp: the SVG's picture (<see cref="HeatPicture"/>) at
/// <see cref="Scale"/> pixels per SVG unit, text in a monospaced font found on the machine.
/// </summary>
internal sealed class HeatPng : IHeatCanvas, IDisposable
{
    /// <summary>Pixels per SVG unit: a 10-unit cell is 20 pixels, the text stays legible.</summary>
    public const int Scale = 2;

    // SkiaSharp's NoDependencies build reads fonts from /usr/share/fonts itself (no fontconfig); with none there its
    // default typeface has no glyphs.
    private static readonly Lazy<SKTypeface> Typeface = new(() => SKFontManager.Default.MatchFamily("DejaVu Sans Mono")
        ?? SKFontManager.Default.MatchFamily("monospace")
        ?? SKTypeface.Default);

    private SKBitmap? _bitmap;
    private SKCanvas? _canvas;

    /// <summary>True when the machine has a font to draw the labels with (without one the picture has no text).</summary>
    public static bool HasFonts => Typeface.Value.GlyphCount > 0;

    /// <summary>The PNG's bytes.</summary>
    /// <exception cref="DllNotFoundException">SkiaSharp's native library is missing (see <see cref="IsNativeFailure"/>).</exception>
    public static byte[] Write(HeatGrid grid)
    {
        using var png = new HeatPng();
        HeatPicture.Draw(grid, png);
        png._canvas!.Flush();
        using var data = png._bitmap!.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>True for the exceptions .NET throws when a native library cannot be loaded or lacks an entry point.</summary>
    public static bool IsNativeFailure(Exception ex) =>
        ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
        || (ex is TypeInitializationException { InnerException: { } inner } && IsNativeFailure(inner));

    public void Begin(int width, int height, string background)
    {
        _bitmap = new SKBitmap(width * Scale, height * Scale, SKColorType.Rgba8888, SKAlphaType.Premul);
        _canvas = new SKCanvas(_bitmap);
        _canvas.Scale(Scale);
        _canvas.Clear(SKColor.Parse(background));
    }

    public void Text(double x, double y, string text, double size, bool alignEnd = false)
    {
        using var font = new SKFont(Typeface.Value, (float)size);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        Canvas.DrawText(text, (float)x, (float)y, alignEnd ? SKTextAlign.Right : SKTextAlign.Left, font, paint);
    }

    public void Rect(double x, double y, double width, double height, string fill, string? stroke = null, double strokeWidth = 0, string? cssClass = null)
    {
        var rect = SKRect.Create((float)x, (float)y, (float)width, (float)height);
        using var paint = new SKPaint { Color = SKColor.Parse(fill), Style = SKPaintStyle.Fill };
        Canvas.DrawRect(rect, paint);
        if (stroke is not null)
        {
            using var line = new SKPaint { Color = SKColor.Parse(stroke), Style = SKPaintStyle.Stroke, StrokeWidth = (float)strokeWidth, IsAntialias = true };
            Canvas.DrawRect(rect, line);
        }
    }

    public void Circle(double cx, double cy, double r, string fill, string stroke, double strokeWidth, string? category = null, string? title = null)
    {
        using var paint = new SKPaint { Color = SKColor.Parse(fill), Style = SKPaintStyle.Fill, IsAntialias = true };
        Canvas.DrawCircle((float)cx, (float)cy, (float)r, paint);
        using var line = new SKPaint { Color = SKColor.Parse(stroke), Style = SKPaintStyle.Stroke, StrokeWidth = (float)strokeWidth, IsAntialias = true };
        Canvas.DrawCircle((float)cx, (float)cy, (float)r, line);
    }

    public void BeginGroup(string cssClass, bool crispEdges = false)
    {
    }

    public void EndGroup()
    {
    }

    public void Dispose()
    {
        _canvas?.Dispose();
        _bitmap?.Dispose();
    }

    private SKCanvas Canvas => _canvas ?? throw new InvalidOperationException("Begin was not called.");
}
