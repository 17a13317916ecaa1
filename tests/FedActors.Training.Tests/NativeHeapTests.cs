namespace FedActors.Training.Tests;

public class NativeHeapTests
{
    [Fact]
    public void The_heap_thresholds_must_be_applied_on_glibc()
    {
        // This machine is Debian (glibc): mallopt exists and accepts both settings. Elsewhere Configure reports false.
        Assert.Equal(OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"), NativeHeap.Configure());
    }
}
