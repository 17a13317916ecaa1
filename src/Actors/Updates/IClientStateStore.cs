namespace FedActors.Actors.Updates;

/// <summary>
/// Vectors a client keeps from one job to its next (error-feedback residuals), one row per (client, job) as the job left
/// it. Rows are immutable: a retried job computes the same vector and may write it again. A store may hold its rows in
/// memory, in a database or both; it must be safe to call from several trainer threads at once.
/// </summary>
public interface IClientStateStore
{
    /// <summary>Copies the row that job <paramref name="job"/> of client <paramref name="clientId"/> left into <paramref name="values"/>.</summary>
    /// <returns>False when there is no such row.</returns>
    /// <exception cref="InvalidDataException">The stored row does not have <c>values.Length</c> values.</exception>
    bool TryLoad(int clientId, long job, Span<float> values);

    /// <summary>Stores the row job <paramref name="job"/> of client <paramref name="clientId"/> leaves; durable when the call returns, if the store is.</summary>
    void Save(int clientId, long job, ReadOnlySpan<float> values);

    /// <summary>
    /// Forgets, for each client in <paramref name="keepFrom"/>, the rows of jobs before the one it maps to: no job that can
    /// still be trained (or trained again after a resume) starts from them. Clients not listed keep every row.
    /// </summary>
    void Retain(IReadOnlyDictionary<int, long> keepFrom);
}
