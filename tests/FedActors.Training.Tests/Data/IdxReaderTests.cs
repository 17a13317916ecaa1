using FedActors.Training.Data;

namespace FedActors.Training.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = _dir.Sub(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Read_must_detect_gzip_by_magic_not_by_extension()
    {
        var content = IdxFiles.Images(3, 2, 2);
        var gzipWithoutExtension = Write("images", IdxFiles.Gzip(content));
        var rawWithGzExtension = Write("images.gz", content);

        var a = IdxReader.ReadImages(gzipWithoutExtension);
        var b = IdxReader.ReadImages(rawWithGzExtension);

        Assert.Equal(new[] { 3, 2, 2 }, a.Dimensions);
        Assert.Equal(content[16..], a.Data);
        Assert.Equal(a.Data, b.Data);
    }

    [Fact]
    public void Read_must_reject_a_png_naming_the_file_and_the_bad_magic()
    {
        var path = Write("picture.gz", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]);

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic 0x89504E47, expected 0x00000803", e.Message);
    }

    [Fact]
    public void Read_must_reject_a_text_file()
    {
        var path = Write("labels", "<html>not found</html>"u8.ToArray());

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic 0x3C68746D", e.Message); // "<htm"
    }

    [Fact]
    public void Read_must_reject_a_label_file_where_images_are_expected()
    {
        var path = Write("labels", IdxFiles.Labels(1, 2));

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains("magic 0x00000801, expected 0x00000803", e.Message);
    }

    [Fact]
    public void Read_must_report_a_truncated_payload_with_expected_and_actual_bytes()
    {
        var full = IdxFiles.Images(3, 2, 2); // 16-byte header + 12 payload bytes
        var path = Write("images", IdxFiles.Gzip(full[..^5]));

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("3×2×2 = 12 payload bytes but only 7 follow", e.Message);
    }

    [Fact]
    public void Read_must_report_a_truncated_header()
    {
        var path = Write("images", IdxFiles.Images(1, 2, 2)[..10]);

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains("truncated header: 3 dimensions declared, 1 present", e.Message);
    }

    [Fact]
    public void Read_must_reject_trailing_garbage()
    {
        var path = Write("labels", [.. IdxFiles.Labels(1, 2, 3), 0xAA, 0xBB]);

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("2 bytes of trailing data after the 3-byte payload", e.Message);
    }

    [Fact]
    public void Read_must_report_corrupt_gzip_as_a_format_error()
    {
        var gz = IdxFiles.Gzip(IdxFiles.Images(50, 4, 4));
        for (int i = 12; i < gz.Length - 8; i++)
            gz[i] ^= 0x5A; // keep the gzip header, scramble the deflate stream
        var path = Write("images.gz", gz);

        var e = Assert.ThrowsAny<DatasetFormatException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ReadPair_must_reject_mismatched_image_and_label_counts()
    {
        var images = Write("images", IdxFiles.Images(3, 2, 2));
        var labels = Write("labels", IdxFiles.Labels(0, 1));

        var e = Assert.Throws<DatasetFormatException>(() => IdxReader.ReadPair(images, labels));

        Assert.Contains("2 labels but", e.Message);
        Assert.Contains("holds 3 images", e.Message);
    }

    [Fact]
    public void ReadHeader_must_return_dimensions_without_reading_the_payload()
    {
        // A header promising far more than is present: only a full Read may notice.
        var path = Write("images", IdxFiles.Idx(IdxReader.ImagesMagic, [60000, 28, 28], new byte[10]));

        Assert.Equal(new[] { 60000, 28, 28 }, IdxReader.ReadHeader(path, IdxReader.ImagesMagic));
        Assert.Throws<DatasetFormatException>(() => IdxReader.ReadImages(path));
    }
}
