namespace FedActors.Host.Configuration;

/// <summary>
/// The configuration cannot be used: a missing file, a HOCON syntax error, an unknown key, a value of
/// the wrong type or out of range. The message names the key (or file) and the problem.
/// </summary>
public sealed class ConfigException : FedActorsException
{
    /// <summary>Creates the error; <paramref name="message"/> starts with the key path or file name.</summary>
    public ConfigException(string message) : base(message) { }

    /// <summary>Creates the error with the parser's exception as the cause.</summary>
    public ConfigException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The standard wording for a bad value: "path: expected X, got 'v'".</summary>
    internal static ConfigException BadValue(string path, string expected, string? got) =>
        new($"{path}: expected {expected}, got {(got is null ? "null" : $"'{got}'")}");
}
