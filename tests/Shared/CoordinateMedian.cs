using Akka.Configuration;
using FedActors.Actors.Aggregation;
using FedActors.Actors.Configuration;

namespace FedActors.Tests.Shared;

/// <summary>
/// A test-only strategy that needs every individual update: each server step takes the coordinate-wise median of
/// K buffered updates (Yin et al., ICML 2018), each scaled by its <see cref="ClientContribution.Scale"/>, and lets the
/// server optimizer step on it. It exists to show that a strategy is one file plus its settings: it reads only keys
/// that reference.conf already has (<c>concurrency</c>, <c>buffer-size</c>, <c>staleness.max-staleness</c>,
/// <c>optimizer</c>) and plugs in through <see cref="StrategyCatalog.With"/>.
/// </summary>
/// <remarks>
/// The updates wait in an <see cref="UpdateBuffer"/>, which checks each as it comes and hands them back one by one
/// (<see cref="UpdateBuffer.Updates"/>). Uniform weights and a constant staleness function make each buffered weight
/// exactly the contribution's scale λ_i; the buffer's running mean is then discarded (<see cref="UpdateBuffer.Clear"/>).
/// </remarks>
public sealed class CoordinateMedian : IAggregationStrategy
{
    /// <summary>The config name.</summary>
    public const string StrategyName = "coordinate-median";

    private readonly CoordinateMedianSettings _settings;
    private readonly UpdateBuffer _buffer;
    private readonly float[] _column;
    private readonly IServerOptimizer _optimizer;

    /// <summary>Creates the strategy for models of <paramref name="dimension"/> values.</summary>
    public CoordinateMedian(CoordinateMedianSettings settings, int dimension)
    {
        _settings = settings;
        _buffer = new UpdateBuffer(dimension, new UpdateBufferOptions(settings.BufferSize, UpdateWeighting.Uniform, new ConstantStaleness(), StalenessNormalization.None));
        _column = new float[settings.BufferSize];
        _optimizer = settings.Optimizer.Create(dimension);
    }

    /// <inheritdoc />
    public Participation Participation => _settings.Participation;

    /// <inheritdoc />
    public int Pending => _buffer.Count;

    /// <inheritdoc />
    public bool IsStepDue => _buffer.IsFull;

    /// <inheritdoc />
    public Admission Offer(in ClientContribution update)
    {
        if (_settings.MaxStaleness is int max && update.Staleness > max) return Admission.TooStale;
        return Admission.Of(_buffer.TryAdd(update.Delta, update.Samples, update.Staleness, update.Scale));
    }

    /// <inheritdoc />
    public AggregateKind Aggregate(ReadOnlySpan<float> current, Span<float> aggregate)
    {
        var updates = _buffer.Updates;
        if (updates.IsEmpty) return AggregateKind.None;
        var column = _column.AsSpan(0, updates.Length);
        for (int j = 0; j < aggregate.Length; j++)
        {
            for (int i = 0; i < updates.Length; i++) column[i] = updates[i].Weight * updates[i].Delta[j];
            aggregate[j] = Median(column);
        }
        _buffer.Clear();
        return AggregateKind.PseudoGradient;
    }
    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> current, ReadOnlySpan<float> aggregate, Span<float> next) => _optimizer.Step(current, aggregate, next);

    /// <inheritdoc />
    public ServerOptimizerState? OptimizerState => _optimizer.State;

    /// <inheritdoc />
    public void Restore(ServerOptimizerState? state) =>
        _optimizer.Restore(state ?? throw new ArgumentException("the persisted state has no server-optimizer state", nameof(state)));

    /// <summary>The median of <paramref name="values"/> (the mean of the two middle ones for an even count); sorts them.</summary>
    public static float Median(Span<float> values)
    {
        values.Sort();
        int mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (float)(((double)values[mid - 1] + values[mid]) / 2);
    }
}

/// <summary>The settings of <see cref="CoordinateMedian"/>, from keys FedBuff already has.</summary>
public sealed record CoordinateMedianSettings : IStrategySettings
{
    /// <inheritdoc />
    public string Name => CoordinateMedian.StrategyName;

    /// <summary>Clients training at once (<c>fedactors.server.concurrency</c>).</summary>
    public int Concurrency { get; init; } = 100;

    /// <summary>K, updates per median (<c>fedactors.server.buffer-size</c>).</summary>
    public int BufferSize { get; init; } = 10;

    /// <summary>τ_max (<c>fedactors.server.staleness.max-staleness</c>); null for none.</summary>
    public int? MaxStaleness { get; init; }

    /// <summary>The server optimizer that steps on the median.</summary>
    public ServerOptimizerSettings Optimizer { get; init; } = ServerOptimizerSettings.Default;

    /// <inheritdoc />
    public Participation Participation => new Participation.Continuous(Concurrency);

    /// <inheritdoc />
    public int? UpdatesPerStep => BufferSize;

    /// <inheritdoc />
    public IAggregationStrategy Create(int dimension) => new CoordinateMedian(this, dimension);

    /// <summary>Reads the settings.</summary>
    public static CoordinateMedianSettings Create(Config config)
    {
        var c = new ConfigReader(config, "fedactors.server");
        return new CoordinateMedianSettings
        {
            Concurrency = c.Int("concurrency", min: 1),
            BufferSize = c.Int("buffer-size", min: 1),
            MaxStaleness = StalenessSettings.Create(config).MaxStaleness,
            Optimizer = ServerOptimizerSettings.Create(config),
        };
    }

    /// <summary>The built-in strategies and this one.</summary>
    public static StrategyCatalog Catalog { get; } = StrategyCatalog.BuiltIn.With(CoordinateMedian.StrategyName, Create);
}
