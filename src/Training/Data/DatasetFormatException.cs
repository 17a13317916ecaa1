namespace FedActors.Training.Data;

/// <summary>A dataset file exists but its content is not what it must be (wrong magic, truncated, corrupt, mismatched).</summary>
/// <remarks>The message always names the file and what is wrong with it, so it can be shown to a user as is.</remarks>
public sealed class DatasetFormatException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>; the message becomes "<c>path: problem</c>".</summary>
    public DatasetFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        FilePath = path;
        Problem = problem;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it, without the file name.</summary>
    public string Problem { get; }
}
