using System.Globalization;
using System.Text;

namespace FedActors.Host.Progress;

/// <summary>The "accuracy 0.8123 loss 0.5012 extra" text both displays share.</summary>
internal static class ProgressText
{
    public static string Metrics(double? accuracy, double? loss, string? extra)
    {
        var sb = new StringBuilder();
        if (accuracy is { } a) sb.Append(CultureInfo.InvariantCulture, $"accuracy {a:0.0000}");
        if (loss is { } l) sb.Append(sb.Length > 0 ? " " : "").Append(CultureInfo.InvariantCulture, $"loss {l:0.0000}");
        if (!string.IsNullOrEmpty(extra)) sb.Append(sb.Length > 0 ? " " : "").Append(extra);
        return sb.ToString();
    }
}
