using FedActors.Host.Cli;
using FedActors.Host.Configuration;

namespace FedActors.Host.Bench;

/// <summary>One suite of <c>fedactors bench</c>: a measurement next to a baseline taken in the same run on the same machine.</summary>
internal interface IBenchSuite
{
    /// <summary>The suite's name on the command line.</summary>
    string Name { get; }

    /// <summary>Its usage line.</summary>
    string Synopsis { get; }

    /// <summary>What it measures, for <c>fedactors bench --help</c>.</summary>
    string Description { get; }

    /// <summary>
    /// True when, without <c>--config</c>, it reads the default experiment (as <c>run</c> does); false when it reads the
    /// Synthetic config (<see cref="BenchReport.SyntheticConfig"/>), a population that needs no files.
    /// </summary>
    bool ReadsExperimentConfig { get; }

    /// <summary>Measures, prints a table, and returns the results for <c>--out</c> as a JSON-serializable object.</summary>
    Task<object> RunAsync(CommandContext ctx, BenchArguments bench, EffectiveConfig config, CancellationToken ct);
}
