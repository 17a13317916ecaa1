using ScottPlot;

namespace FedActors.Host.Runs;

/// <summary>accuracy.png: test accuracy against virtual time (left) and wall time (right).</summary>
public static class AccuracyPlot
{
    /// <summary>Image width in pixels.</summary>
    public const int Width = 1400;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 550;

    /// <summary>Renders <paramref name="rows"/> to a PNG at <paramref name="path"/> (replaced atomically).</summary>
    public static void Save(string path, IReadOnlyList<MetricsRow> rows, string title)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var points = rows.Where(r => double.IsFinite(r.Accuracy)).ToList();
        Panel(multiplot.GetPlot(0), $"{title}: virtual time", "virtual seconds", points.Select(r => r.VirtualSeconds), points);
        Panel(multiplot.GetPlot(1), $"{title}: wall time", "wall seconds", points.Select(r => r.WallSeconds), points);

        var temp = path + ".tmp.png";
        multiplot.SavePng(temp, Width, Height);
        File.Move(temp, path, overwrite: true);
    }

    private static void Panel(Plot plot, string title, string xLabel, IEnumerable<double> xs, IReadOnlyList<MetricsRow> rows)
    {
        var x = xs.ToArray();
        if (x.Length > 0)
        {
            var line = plot.Add.Scatter(x, rows.Select(r => r.Accuracy).ToArray());
            line.MarkerSize = x.Length > 50 ? 0 : 5;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("test accuracy");
        // Accuracy is a fraction: a fixed [0, 1] axis keeps runs comparable side by side.
        plot.Axes.SetLimitsY(0, 1);
        if (x.Length == 0 || x.Max() <= 0) plot.Axes.SetLimitsX(0, 1);
    }
}
