using System.Globalization;
using FedActors.Actors.Privacy;
using FedActors.Host.Cli;

namespace FedActors.Host.Commands;

/// <summary>
/// <c>fedactors privacy epsilon|sigma</c>: the runtime's Rényi accountant as a calculator, to plan a DP run before
/// spending compute on it.
/// </summary>
public sealed class PrivacyCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "privacy";

    /// <inheritdoc />
    public string Summary => "the privacy accountant as a calculator: ε of a plan, or the noise that meets a target ε";

    /// <inheritdoc />
    public string Usage =>
        "Usage: fedactors privacy epsilon --q Q --sigma Z --steps T --delta D\n" +
        "       fedactors privacy sigma   --q Q --steps T --delta D --epsilon E\n\n" +
        "epsilon prints the ε that T steps of the Gaussian mechanism with noise multiplier Z, each over a Poisson\n" +
        "sample of rate Q, spend at δ = D, and the Rényi order that gave it. sigma prints the smallest noise\n" +
        "multiplier that keeps T such steps within (E, D). Both use the runtime's accountant: RDP of the\n" +
        "Poisson-subsampled Gaussian (Mironov, Talwar and Zhang 2019) over dp-accounting's default orders,\n" +
        "converted with the bound of Balle et al. (2020). Without amplification by sampling, give --q 1 and as\n" +
        "--steps the most times one client can contribute.\n\n" +
        "Options:\n" +
        "  --q Q          sampling rate of each step, in [0, 1]\n" +
        "  --sigma Z      noise multiplier: the noise's standard deviation over the clip norm, ≥ 0\n" +
        "  --steps T      number of steps, ≥ 1\n" +
        "  --delta D      δ, in (0, 1)\n" +
        "  --epsilon E    target ε, > 0\n";

    /// <inheritdoc />
    public async Task<int> RunAsync(CommandContext ctx, string[] args, CancellationToken ct)
    {
        if (args.Length == 0) throw new UsageException("privacy needs a calculation: epsilon or sigma");
        var (calculation, values) = (args[0], Parse(args[1..]));
        switch (calculation)
        {
            case "epsilon":
            {
                Allow(values, "q", "sigma", "steps", "delta");
                double q = Rate(values), sigma = NoiseMultiplier(values), delta = Delta(values);
                long steps = Steps(values);
                var g = new RdpAccountant([new PrivacyCharge(q, sigma, steps)]).Epsilon(delta);
                await ctx.Out.WriteLineAsync(Invariant(
                    $"ε = {g.Epsilon:G6} at δ = {delta:G6} (Rényi order {g.Order:G4}) for {steps:N0} steps of noise multiplier {sigma:G6} at sampling rate {q:G6}"));
                return 0;
            }
            case "sigma":
            {
                Allow(values, "q", "steps", "delta", "epsilon");
                double q = Rate(values), delta = Delta(values), epsilon = Require(values, "epsilon");
                long steps = Steps(values);
                if (!(epsilon > 0) || double.IsPositiveInfinity(epsilon)) throw new UsageException($"--epsilon must be finite and > 0, got {epsilon}");
                double sigma;
                PrivacyGuarantee g;
                try { (sigma, g) = NoiseCalibration.NoiseMultiplier(q, steps, delta, epsilon); }
                catch (ArgumentOutOfRangeException e) when (e.ParamName == "epsilon") { throw new UsageException(FirstLine(e.Message)); }
                await ctx.Out.WriteLineAsync(Invariant(
                    $"noise multiplier σ = {sigma:G6} gives ε = {g.Epsilon:G6} at δ = {delta:G6} (Rényi order {g.Order:G4}) for {steps:N0} steps at sampling rate {q:G6}"));
                return 0;
            }
            default:
                throw new UsageException($"unknown privacy calculation '{calculation}': use epsilon or sigma");
        }
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unexpected argument '{arg}'");
            string name, value;
            int eq = arg.IndexOf('=');
            if (eq > 0) (name, value) = (arg[2..eq], arg[(eq + 1)..]);
            else if (i + 1 < args.Length) (name, value) = (arg[2..], args[++i]);
            else throw new UsageException($"{arg} needs a value");
            if (!values.TryAdd(name, value)) throw new UsageException($"--{name} is given twice");
        }
        return values;
    }

    private static void Allow(Dictionary<string, string> values, params string[] names)
    {
        foreach (var name in values.Keys)
            if (Array.IndexOf(names, name) < 0) throw new UsageException($"unknown option '--{name}' here: this calculation takes --{string.Join(", --", names)}");
    }

    private static double Require(Dictionary<string, string> values, string name)
    {
        if (!values.TryGetValue(name, out var text)) throw new UsageException($"--{name} is required");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
            throw new UsageException($"--{name} must be a number, got '{text}'");
        return value;
    }

    private static double Rate(Dictionary<string, string> values)
    {
        double q = Require(values, "q");
        return q is >= 0 and <= 1 ? q : throw new UsageException($"--q must be a sampling rate in [0, 1], got {q}");
    }

    private static double NoiseMultiplier(Dictionary<string, string> values)
    {
        double sigma = Require(values, "sigma");
        return sigma >= 0 && double.IsFinite(sigma) ? sigma : throw new UsageException($"--sigma must be finite and ≥ 0, got {sigma}");
    }

    private static double Delta(Dictionary<string, string> values)
    {
        double delta = Require(values, "delta");
        return delta is > 0 and < 1 ? delta : throw new UsageException($"--delta must be in (0, 1), got {delta}");
    }

    private static long Steps(Dictionary<string, string> values)
    {
        var text = values.TryGetValue("steps", out var t) ? t : throw new UsageException("--steps is required");
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var steps) && steps >= 1
            ? steps
            : throw new UsageException($"--steps must be a whole number ≥ 1, got '{text}'");
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Split(" (Parameter")[0];

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
