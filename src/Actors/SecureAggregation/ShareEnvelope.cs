using System.Security.Cryptography;

namespace FedActors.Actors.SecureAggregation;

/// <summary>
/// Authenticated encryption of what one member sends another through the server (its Shamir shares): AES-256-GCM under a
/// key the two derive by ECDH, with the sender, the receiver and the cohort bound as associated data, so the relaying
/// server can neither read a share nor hand it to the wrong member undetected.
/// </summary>
/// <remarks>Layout: 12-byte nonce ‖ ciphertext ‖ 16-byte tag.</remarks>
public static class ShareEnvelope
{
    /// <summary>Bytes of the nonce.</summary>
    public const int NonceLength = 12;

    /// <summary>Bytes of the tag.</summary>
    public const int TagLength = 16;

    /// <summary>Bytes an envelope adds to its plaintext.</summary>
    public const int Overhead = NonceLength + TagLength;

    /// <summary>
    /// Seals <paramref name="plaintext"/> under <paramref name="key"/> (32 bytes) with <paramref name="nonce"/>; a key must
    /// never seal two messages under one nonce (a fresh random nonce, or one key per message).
    /// </summary>
    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (nonce.Length != NonceLength) throw new ArgumentException($"an AES-GCM nonce is {NonceLength} bytes, got {nonce.Length}", nameof(nonce));
        var envelope = new byte[Overhead + plaintext.Length];
        nonce.CopyTo(envelope);
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, envelope.AsSpan(NonceLength, plaintext.Length), envelope.AsSpan(NonceLength + plaintext.Length), associatedData);
        return envelope;
    }

    /// <summary>
    /// Opens an envelope; null when it was not sealed under <paramref name="key"/> with this <paramref name="associatedData"/>
    /// or was altered (with <paramref name="reason"/> saying which check failed).
    /// </summary>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData, out string? reason)
    {
        if (envelope.Length < Overhead)
        {
            reason = $"an envelope is at least {Overhead} bytes, got {envelope.Length}";
            return null;
        }
        var plaintext = new byte[envelope.Length - Overhead];
        using var gcm = new AesGcm(key, TagLength);
        try
        {
            gcm.Decrypt(envelope[..NonceLength], envelope[NonceLength..^TagLength], envelope[^TagLength..], plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            reason = "the envelope does not authenticate: another key, another sender or receiver, or altered bytes";
            return null;
        }
        reason = null;
        return plaintext;
    }
}
