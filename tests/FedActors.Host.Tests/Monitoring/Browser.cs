using OpenQA.Selenium.Chrome;

namespace FedActors.Host.Tests.Monitoring;

/// <summary>
/// Debian's Chromium, headless, driven by Debian's chromedriver through Selenium (no browser download works here).
/// The test command (scripts/test.sh) installs both packages when they are missing.
/// </summary>
public static class Browser
{
    /// <summary>Debian's chromium binary.</summary>
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>Debian's chromedriver.</summary>
    public const string Driver = "/usr/bin/chromedriver";

    /// <summary>Starts a headless browser with a fresh profile in <paramref name="profileDir"/>.</summary>
    public static ChromeDriver Start(string profileDir)
    {
        foreach (var file in new[] { Chromium, Driver })
            Assert.True(File.Exists(file), $"{file} is missing: run the tests with scripts/test.sh, which installs Debian's chromium and chromium-driver");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        // Without the background-networking flags Chromium keeps trying hosts this machine's closed network refuses.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-quic",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1400,1000", $"--user-data-dir={profileDir}");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }
}
