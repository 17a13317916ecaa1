namespace FedActors.Host.Cli;

/// <summary>The command line itself is wrong (unknown option, missing value): exit code 2.</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the error; the message says which argument is wrong.</summary>
    public UsageException(string message) : base(message) { }
}
