using System.Text;
using Akka.Configuration;
using FedActors.Actors.Configuration;
using FedActors.Host.Configuration;

namespace FedActors.Host.Cli;

/// <summary>The options several commands share; each command says which of them it accepts.</summary>
[Flags]
public enum CommonOption
{
    /// <summary>None of them.</summary>
    None = 0,
    /// <summary><c>--config F</c>.</summary>
    Config = 1,
    /// <summary><c>--set K=V</c>, repeatable.</summary>
    Set = 2,
    /// <summary><c>--out DIR</c>.</summary>
    Out = 4,
    /// <summary><c>--data-dir D</c>.</summary>
    DataDir = 8,
    /// <summary><c>--plain</c>.</summary>
    Plain = 16,
    /// <summary><c>--dashboard</c> and <c>--metrics-port P</c>.</summary>
    Monitoring = 32,
    /// <summary>The options that shape the effective config.</summary>
    ConfigOptions = Config | Set | DataDir,
    /// <summary>Everything.</summary>
    All = Config | Set | Out | DataDir | Plain,
}

/// <summary>
/// The parsed common options. Arguments the parser does not own (command-specific options, positional
/// arguments) are kept in order in <see cref="Remaining"/>; a command without its own arguments calls
/// <see cref="RejectRemaining"/>. Both <c>--opt value</c> and <c>--opt=value</c> are accepted.
/// </summary>
public sealed record CommonOptions
{
    /// <summary><c>--config F</c>: a HOCON file layered over reference.conf, or null.</summary>
    public string? ConfigFile { get; init; }

    /// <summary><c>--set K=V</c> overrides, in command-line order (later wins).</summary>
    public IReadOnlyList<string> Sets { get; init; } = [];

    /// <summary><c>--out DIR</c>, or null for the command's default.</summary>
    public string? OutDir { get; init; }

    /// <summary><c>--data-dir D</c>: shorthand for <c>--set fedactors.data.dir=D</c>, applied last.</summary>
    public string? DataDir { get; init; }

    /// <summary><c>--plain</c>: line-per-update output instead of a live display.</summary>
    public bool Plain { get; init; }

    /// <summary><c>--dashboard</c>: shorthand for <c>--set fedactors.monitoring.dashboard=on</c>, applied last.</summary>
    public bool Dashboard { get; init; }

    /// <summary><c>--metrics-port P</c>: shorthand for <c>--set fedactors.monitoring.metrics-port=P</c>, applied last.</summary>
    public string? MetricsPort { get; init; }

    /// <summary><c>--help</c> or <c>-h</c> was given.</summary>
    public bool Help { get; init; }

    /// <summary>Arguments not consumed by this parser, in order.</summary>
    public IReadOnlyList<string> Remaining { get; init; } = [];

    /// <summary>Parses the options in <paramref name="accepted"/>; others stay in <see cref="Remaining"/>.</summary>
    /// <exception cref="UsageException">An accepted option lacks its value or is given twice.</exception>
    public static CommonOptions Parse(IReadOnlyList<string> args, CommonOption accepted = CommonOption.All)
    {
        var result = new CommonOptions();
        var sets = new List<string>();
        var remaining = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            var name = eq > 0 ? arg[..eq] : arg;
            string Value()
            {
                if (eq > 0) return arg[(eq + 1)..];
                if (i + 1 >= args.Count) throw new UsageException($"{name} needs a value");
                return args[++i];
            }

            switch (name)
            {
                case "--help" or "-h":
                    result = result with { Help = true };
                    break;
                case "--config" when accepted.HasFlag(CommonOption.Config):
                    if (result.ConfigFile is not null) throw new UsageException("--config given twice");
                    result = result with { ConfigFile = Value() };
                    break;
                case "--set" when accepted.HasFlag(CommonOption.Set):
                    sets.Add(Value());
                    break;
                case "--out" when accepted.HasFlag(CommonOption.Out):
                    if (result.OutDir is not null) throw new UsageException("--out given twice");
                    result = result with { OutDir = Value() };
                    break;
                case "--data-dir" when accepted.HasFlag(CommonOption.DataDir):
                    if (result.DataDir is not null) throw new UsageException("--data-dir given twice");
                    result = result with { DataDir = Value() };
                    break;
                case "--plain" when accepted.HasFlag(CommonOption.Plain) && eq < 0:
                    result = result with { Plain = true };
                    break;
                case "--dashboard" when accepted.HasFlag(CommonOption.Monitoring) && eq < 0:
                    result = result with { Dashboard = true };
                    break;
                case "--metrics-port" when accepted.HasFlag(CommonOption.Monitoring):
                    if (result.MetricsPort is not null) throw new UsageException("--metrics-port given twice");
                    var port = Value();
                    if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
                        throw new UsageException($"--metrics-port: expected a port number 1-65535, got '{port}'");
                    result = result with { MetricsPort = port };
                    break;
                default:
                    remaining.Add(arg);
                    break;
            }
        }
        return result with { Sets = sets, Remaining = remaining };
    }

    /// <summary>Throws a <see cref="UsageException"/> naming the first argument nobody consumed.</summary>
    public void RejectRemaining()
    {
        if (Remaining.Count == 0) return;
        var first = Remaining[0];
        throw new UsageException(first.StartsWith('-') ? $"unknown option '{first}'" : $"unexpected argument '{first}'");
    }

    /// <summary>The <c>--set</c> overrides followed by <c>--data-dir</c>, <c>--dashboard</c> and <c>--metrics-port</c>, parsed.</summary>
    /// <exception cref="ConfigException">A <c>--set</c> is not <c>path=value</c>.</exception>
    public IReadOnlyList<ConfigOverride> Overrides()
    {
        var overrides = Sets.Select(ConfigOverride.Parse).ToList();
        if (DataDir is not null) overrides.Add(new ConfigOverride("fedactors.data.dir", HoconString.Quote(DataDir)));
        if (Dashboard) overrides.Add(new ConfigOverride("fedactors.monitoring.dashboard", "on"));
        if (MetricsPort is not null) overrides.Add(new ConfigOverride("fedactors.monitoring.metrics-port", MetricsPort));
        return overrides;
    }

    /// <summary>Loads the effective config; <paramref name="defaultFile"/> is used when <c>--config</c> is absent.</summary>
    /// <exception cref="ConfigException">The config is unusable.</exception>
    public EffectiveConfig LoadConfig(CommandContext ctx, string? defaultFile = null)
    {
        var file = ConfigFile ?? defaultFile;
        return FedActorsConfig.Load(file is null ? null : ctx.ResolvePath(file), Overrides(), ctx.Extensions);
    }

    /// <summary>The experiment config that run, centralized and partition read when <c>--config</c> is absent.</summary>
    public const string DefaultExperimentConfig = "config/fmnist-fedbuff.conf";

    /// <summary>
    /// Loads the effective config of an experiment command: <see cref="DefaultExperimentConfig"/> stands in
    /// for a missing <c>--config</c> when it exists relative to the working directory.
    /// </summary>
    /// <exception cref="ConfigException">The config is unusable.</exception>
    public EffectiveConfig LoadExperimentConfig(CommandContext ctx) =>
        LoadConfig(ctx, File.Exists(ctx.ResolvePath(DefaultExperimentConfig)) ? DefaultExperimentConfig : null);

    /// <summary>Help lines for the options in <paramref name="accepted"/>, for a command's usage text.</summary>
    public static string Describe(CommonOption accepted)
    {
        var sb = new StringBuilder();
        void Line(CommonOption option, string syntax, string text)
        {
            if (accepted.HasFlag(option)) sb.Append("  ").Append(syntax.PadRight(16)).Append(text).Append('\n');
        }
        Line(CommonOption.Config, "--config F", "HOCON file layered over the built-in reference.conf");
        Line(CommonOption.Set, "--set K=V", "override one key (HOCON path and value, e.g. fedactors.client.lr=0.1); repeatable, later wins");
        Line(CommonOption.DataDir, "--data-dir D", "directory with the data set files (= --set fedactors.data.dir=D)");
        Line(CommonOption.Out, "--out DIR", "output directory");
        Line(CommonOption.Plain, "--plain", "plain line-per-update output, no live display");
        Line(CommonOption.Monitoring, "--dashboard", "serve the live dashboard on a local port, printed at start (= --set fedactors.monitoring.dashboard=on)");
        Line(CommonOption.Monitoring, "--metrics-port P", "serve Prometheus metrics on http://127.0.0.1:P/metrics (= --set fedactors.monitoring.metrics-port=P)");
        sb.Append("  ").Append("--help".PadRight(16)).Append("show this help\n");
        return sb.ToString();
    }
}
