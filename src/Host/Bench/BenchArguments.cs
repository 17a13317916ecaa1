using System.Globalization;
using FedActors.Host.Cli;
using FedActors.Training.Models;

namespace FedActors.Host.Bench;

/// <summary>
/// The arguments of <c>fedactors bench SUITE</c> after the common options: the suite and its own options.
/// Each suite accepts only the options that mean something to it.
/// </summary>
public sealed record BenchArguments
{
    /// <summary>The suites, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Suites { get; } = ["train", "aggregate", "compression", "secagg", "population", "orchestration", "overhead"];

    private static readonly Dictionary<string, string[]> OptionsOf = new()
    {
        ["train"] = ["--out", "--models", "--samples", "--repetitions", "--threads", "--batch-size"],
        ["aggregate"] = ["--out", "--models", "--repetitions"],
        ["compression"] = ["--out", "--models", "--repetitions", "--codecs"],
        ["secagg"] = ["--out", "--models", "--clients", "--repetitions"],
        ["population"] = ["--out", "--clients"],
        ["orchestration"] = ["--out", "--steps", "--repetitions", "--local-steps", "--nodes"],
        ["overhead"] = ["--out", "--steps", "--repetitions"],
    };

    /// <summary>The suite to run.</summary>
    public required string Suite { get; init; }

    /// <summary><c>--out FILE</c>: where to write the JSON results; null prints only.</summary>
    public string? OutFile { get; init; }

    /// <summary><c>--models M,...</c>; null takes the suite's default.</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary><c>--codecs C,...</c> (compression): uplink codec chains as <c>fedactors.compression.uplink</c> writes them; null takes the suite's default.</summary>
    public IReadOnlyList<string>? Codecs { get; init; }

    /// <summary><c>--samples N</c> (train).</summary>
    public int? Samples { get; init; }

    /// <summary><c>--repetitions R</c>.</summary>
    public int? Repetitions { get; init; }

    /// <summary><c>--threads T</c> (train).</summary>
    public int? Threads { get; init; }

    /// <summary><c>--batch-size B</c> (train).</summary>
    public int? BatchSize { get; init; }

    /// <summary><c>--clients N,...</c>: population sizes (population) or cohort sizes (secagg) to measure.</summary>
    public IReadOnlyList<int>? Clients { get; init; }

    /// <summary><c>--steps N</c> (orchestration, overhead): server steps of each measured run.</summary>
    public int? Steps { get; init; }

    /// <summary><c>--local-steps K</c> (orchestration): optimizer steps per local training; 0 trains the config's full epochs.</summary>
    public int? LocalSteps { get; init; }
    /// <summary><c>--nodes N</c> (orchestration): 1 measures the one-node runtime; N ≥ 2 also a loopback cluster of N processes.</summary>
    public int? Nodes { get; init; }

    /// <summary>Parses the suite name and its options.</summary>
    /// <exception cref="UsageException">No suite, an unknown suite, or an option the suite does not take or with a bad value.</exception>
    public static BenchArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = new Queue<string>(args);
        if (rest.Count == 0 || rest.Peek().StartsWith('-'))
            throw new UsageException($"bench needs a suite: {string.Join(", ", Suites)}");
        var suite = rest.Dequeue();
        if (!OptionsOf.TryGetValue(suite, out var accepted))
            throw new UsageException($"unknown bench suite '{suite}' (valid: {string.Join(", ", Suites)})");

        var result = new BenchArguments { Suite = suite };
        while (rest.Count > 0)
        {
            var arg = rest.Dequeue();
            int eq = arg.StartsWith("--", StringComparison.Ordinal) ? arg.IndexOf('=') : -1;
            var name = eq > 0 ? arg[..eq] : arg;
            if (!name.StartsWith('-')) throw new UsageException($"unexpected argument '{name}'");
            if (!accepted.Contains(name))
            {
                throw new UsageException(OptionsOf.Values.Any(o => o.Contains(name))
                    ? $"bench {suite} does not take {name} (it takes {string.Join(", ", accepted)})"
                    : $"unknown option '{name}'");
            }
            string Value() => eq > 0 ? arg[(eq + 1)..] : rest.Count > 0 ? rest.Dequeue() : throw new UsageException($"{name} needs a value");
            result = name switch
            {
                "--out" => result with { OutFile = Value() },
                "--models" => result with { Models = ParseModels(Value()) },
                "--codecs" => result with { Codecs = Split(Value()) is { Length: > 0 } codecs ? codecs : throw new UsageException("--codecs needs at least one codec chain") },
                "--samples" => result with { Samples = PositiveInt(name, Value()) },
                "--repetitions" => result with { Repetitions = PositiveInt(name, Value()) },
                "--threads" => result with { Threads = PositiveInt(name, Value()) },
                "--batch-size" => result with { BatchSize = PositiveInt(name, Value()) },
                "--clients" => result with { Clients = Split(Value()).Select(v => PositiveInt(name, v)).ToArray() },
                "--steps" => result with { Steps = PositiveInt(name, Value()) },
                "--local-steps" => result with { LocalSteps = NonNegativeInt(name, Value()) },
                "--nodes" => result with { Nodes = PositiveInt(name, Value()) },
                _ => throw new UsageException($"unknown option '{name}'"),
            };
        }
        return result;
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string[] ParseModels(string list)
    {
        var models = Split(list);
        if (models.Length == 0) throw new UsageException("--models needs at least one model");
        foreach (var m in models)
        {
            if (!ModelCatalog.Names.Contains(m))
                throw new UsageException($"unknown model '{m}' (valid: {string.Join(", ", ModelCatalog.Names)})");
        }
        return models;
    }

    private static int PositiveInt(string name, string text) =>
        int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new UsageException($"{name} must be a positive integer, got '{text}'");

    private static int NonNegativeInt(string name, string text) =>
        int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v : throw new UsageException($"{name} must be a non-negative integer, got '{text}'");
}
