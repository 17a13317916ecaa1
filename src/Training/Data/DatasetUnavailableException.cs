namespace FedActors.Training.Data;

/// <summary>One place <see cref="DatasetAcquisition"/> looked, and what happened there.</summary>
/// <param name="Source">What was tried, e.g. <c>user cache /home/me/.cache/fedactors/fashion-mnist</c>.</param>
/// <param name="Succeeded">True when this step produced a usable directory.</param>
/// <param name="Outcome">Why it failed, or what was found.</param>
public sealed record DatasetAcquisitionAttempt(string Source, bool Succeeded, string Outcome);

/// <summary>No source could provide the dataset; the message lists every attempt and how to fix it.</summary>
public sealed class DatasetUnavailableException : Exception
{
    /// <summary>Creates the exception with its full, user-facing message.</summary>
    public DatasetUnavailableException(string datasetName, IReadOnlyList<DatasetAcquisitionAttempt> attempts, string message)
        : base(message)
    {
        DatasetName = datasetName;
        Attempts = attempts;
    }

    /// <summary>The dataset that was wanted.</summary>
    public string DatasetName { get; }

    /// <summary>Every attempt, in the order tried.</summary>
    public IReadOnlyList<DatasetAcquisitionAttempt> Attempts { get; }
}
