using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

/// <summary>Builds small IDX files and datasets on disk for tests.</summary>
internal static class IdxFiles
{
    public static byte[] Idx(int magic, int[] dims, byte[] payload)
    {
        var bytes = new byte[4 + 4 * dims.Length + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    public static byte[] Labels(params byte[] labels) => Idx(IdxReader.LabelsMagic, [labels.Length], labels);

    /// <summary>count images of rows×cols, pixel (i, k) = (i * 7 + k) mod 256.</summary>
    public static byte[] Images(int count, int rows, int cols)
    {
        var payload = new byte[count * rows * cols];
        for (int i = 0; i < count; i++)
            for (int k = 0; k < rows * cols; k++)
                payload[i * rows * cols + k] = (byte)((i * 7 + k) % 256);
        return Idx(IdxReader.ImagesMagic, [count, rows, cols], payload);
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(content);
        return buffer.ToArray();
    }

    public static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    /// <summary>The uncompressed contents of a tiny 2×2-pixel dataset: 4 train and 2 test samples, 10 classes.</summary>
    public static IReadOnlyDictionary<string, byte[]> TinyDataset() => new Dictionary<string, byte[]>
    {
        ["train-images-idx3-ubyte"] = Images(4, 2, 2),
        ["train-labels-idx1-ubyte"] = Labels(0, 9, 3, 3),
        ["t10k-images-idx3-ubyte"] = Images(2, 2, 2),
        ["t10k-labels-idx1-ubyte"] = Labels(5, 1),
    };

    /// <summary>A spec for <see cref="TinyDataset"/> with the correct content hashes.</summary>
    public static IdxDatasetSpec TinySpec(Uri? downloadBase)
    {
        var files = TinyDataset();
        IdxFileSpec F(string name) => new(name + ".gz", Sha256(files[name]));
        return new IdxDatasetSpec
        {
            Name = "tiny",
            TrainImages = F("train-images-idx3-ubyte"),
            TrainLabels = F("train-labels-idx1-ubyte"),
            TestImages = F("t10k-images-idx3-ubyte"),
            TestLabels = F("t10k-labels-idx1-ubyte"),
            DownloadBase = downloadBase,
        };
    }

    /// <summary>Writes the tiny dataset as .gz files into dir (created).</summary>
    public static string WriteTiny(string dir)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, content) in TinyDataset())
            File.WriteAllBytes(Path.Combine(dir, name + ".gz"), Gzip(content));
        return dir;
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fedactors-test-" + Guid.NewGuid().ToString("N"));

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
