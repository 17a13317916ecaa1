namespace FedActors.Actors.Coordination;

/// <summary>
/// The failure policy for results that bring no usable update (failed trainings, malformed or non-finite updates):
/// a model that diverged, or trainers that always fail, would otherwise keep every slot busy with work that is thrown
/// away, and the run would never end. Counts start over at every server step, where checkpoints are taken, so a
/// resumed run counts exactly as an uninterrupted one.
/// </summary>
/// <param name="concurrency">Jobs in flight at once; the limit grows with it, so an occasional bad client never stops a run.</param>
internal sealed class UnusableResults(int concurrency)
{
    private readonly SortedDictionary<string, int> _sinceStep = new(StringComparer.Ordinal);
    private string? _lastFailure;

    /// <summary>Results that may come back unusable without a server step in between, at the least, before the run fails.</summary>
    public const int MinPerStep = 1000;

    private int Limit => Math.Max(MinPerStep, 10 * concurrency);

    /// <summary>A training failed with <paramref name="reason"/> (named in the failure message if the run fails).</summary>
    public void TrainingFailed(string reason) => _lastFailure = reason;

    /// <summary>Counts one unusable result; returns why the run fails when this one reached the limit, or null.</summary>
    public string? Count(string reason, long serverStep)
    {
        _sinceStep[reason] = _sinceStep.GetValueOrDefault(reason) + 1;
        int unusable = _sinceStep.Values.Sum();
        if (unusable < Limit) return null;
        var reasons = string.Join(", ", _sinceStep.Select(r => FormattableString.Invariant($"{r.Key} {r.Value:N0}")));
        string cause = _sinceStep.ContainsKey("non_finite")
            ? "the model has diverged; lower fedactors.client.lr or fedactors.server.optimizer.lr"
            : _sinceStep.ContainsKey("failed") ? $"the clients' trainings keep failing, the last with: {_lastFailure}"
            : "the clients keep sending malformed updates";
        return FormattableString.Invariant(
            $"{unusable:N0} results since server step {serverStep} were unusable ({reasons}) and no step followed: {cause}");
    }

    /// <summary>A server step: the count starts over.</summary>
    public void Stepped()
    {
        _sinceStep.Clear();
        _lastFailure = null;
    }
}
