using ScottPlot;

namespace FedActors.Host.Runs;

/// <summary>
/// The overlay plot of <c>fedactors compare</c> and <c>fedactors sweep</c>: test accuracy of every run against virtual time,
/// wall time and uploaded bytes, and against the ε spent when a run has differential privacy.
/// </summary>
public static class ComparisonPlot
{
    /// <summary>Image width in pixels per panel.</summary>
    public const int PanelWidth = 600;

    /// <summary>Image height in pixels.</summary>
    public const int Height = 560;

    /// <summary>Renders the runs to a PNG at <paramref name="path"/> (replaced atomically).</summary>
    public static void Save(string path, IReadOnlyList<ComparedRun> runs)
    {
        bool privacy = runs.Any(r => r.Rows.Any(row => row.Epsilon is not null));
        var multiplot = new Multiplot();
        multiplot.AddPlots(privacy ? 4 : 3);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Panel(multiplot.GetPlot(0), runs, "accuracy against virtual time", "virtual seconds", r => r.VirtualSeconds);
        Panel(multiplot.GetPlot(1), runs, "accuracy against wall time", "wall seconds", r => r.WallSeconds);
        Panel(multiplot.GetPlot(2), runs, "accuracy against uploaded bytes", "bytes up (MB)", r => r.BytesUp / 1e6);
        if (privacy) Panel(multiplot.GetPlot(3), runs, "accuracy against client-level ε spent", "ε", r => r.Epsilon ?? double.NaN);
        var temp = path + ".tmp.png";
        multiplot.SavePng(temp, PanelWidth * (privacy ? 4 : 3), Height);
        File.Move(temp, path, overwrite: true);
    }

    private static void Panel(Plot plot, IReadOnlyList<ComparedRun> runs, string title, string xLabel, Func<MetricsRow, double> x)
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < runs.Count; i++)
        {
            // Rows without an x (no ε in a run without DP) are left out of that panel.
            var rows = runs[i].Rows.Where(r => double.IsFinite(r.Accuracy) && double.IsFinite(x(r))).ToArray();
            if (rows.Length == 0) continue;
            var line = plot.Add.Scatter(rows.Select(x).ToArray(), rows.Select(r => r.Accuracy).ToArray(), palette.GetColor(i));
            line.MarkerSize = rows.Length > 50 ? 0 : 4;
            line.LegendText = $"{runs[i].Name} ({runs[i].Summary.Algorithm})";
            if (runs[i].Summary.TargetAccuracy is double t && i == 0)
            {
                var target = plot.Add.HorizontalLine(t, color: Colors.Gray);
                target.LinePattern = LinePattern.Dashed;
            }
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("test accuracy");
        plot.Axes.SetLimitsY(0, 1);
        plot.ShowLegend(Alignment.LowerRight);
    }
}
