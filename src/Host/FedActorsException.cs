namespace FedActors.Host;

/// <summary>
/// An error the user can fix (bad config, missing data, unusable output directory). The command line
/// reports its message alone, without a stack trace, and exits with code 1.
/// </summary>
public class FedActorsException : Exception
{
    /// <summary>Creates the error with a message that names what is wrong and where.</summary>
    public FedActorsException(string message) : base(message) { }

    /// <summary>Creates the error with a message and the exception that caused it.</summary>
    public FedActorsException(string message, Exception inner) : base(message, inner) { }
}
