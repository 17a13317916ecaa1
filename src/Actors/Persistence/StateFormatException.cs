using System.Runtime.Serialization;

namespace FedActors.Actors.Persistence;

/// <summary>What is wrong with a persisted state blob that <see cref="StateSerializer"/> refuses to read.</summary>
public enum StateFormatError
{
    /// <summary>The blob does not start with the FedActors state magic bytes.</summary>
    NotFedActorsState,

    /// <summary>The blob was written in a format version this build cannot read.</summary>
    UnsupportedVersion,

    /// <summary>The type tag, the manifest or a nested kind is not one this build knows.</summary>
    UnknownType,

    /// <summary>The manifest stored beside the blob names another type than the blob's own type tag.</summary>
    ManifestMismatch,

    /// <summary>The blob is shorter or longer than its header says, or a field runs past the payload's end.</summary>
    LengthMismatch,

    /// <summary>The checksum stored in the blob differs from the one computed over it: the bytes changed.</summary>
    ChecksumMismatch,

    /// <summary>A field holds a value no writer produces (a negative length, an unknown enum value, bad UTF-8).</summary>
    InvalidValue,
}

/// <summary>
/// Persisted coordinator state could not be read: it is not FedActors state, was written by an
/// incompatible build, or is corrupt.
/// </summary>
/// <remarks>
/// Derives from <see cref="SerializationException"/>, which Akka recommends for payloads a serializer
/// cannot read. The message names the problem and its numbers (expected and actual), so it can be shown
/// to a user as is.
/// </remarks>
public sealed class StateFormatException : SerializationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The kind of problem.</param>
    /// <param name="message">What is wrong, with the values involved.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public StateFormatException(StateFormatError error, string message, Exception? inner = null)
        : base(message, inner)
    {
        Error = error;
    }

    /// <summary>The kind of problem.</summary>
    public StateFormatError Error { get; }
}
