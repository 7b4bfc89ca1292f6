using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Discern.Web.Tests;

/// <summary>
/// The page in a real browser: Debian's chromium driven headless by Playwright (browser downloads are blocked here,
/// so the system executable is used). The app runs on a loopback port, as `discern serve` runs it.
/// </summary>
public class BrowserTests
{
    private const string ChromiumPath = "/usr/bin/chromium";

    private static string ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Discern.slnx")))
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "artifacts", "screenshots")).FullName;
        return Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
    }

    [Fact]
    public async Task Upload_shows_verdict_plot_grid_and_timeline_in_both_languages()
    {
        Assert.True(File.Exists(ChromiumPath), $"The browser test needs Debian's chromium at {ChromiumPath} (apt-get install chromium; scripts/setup.sh installs it).");
        var spool = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "discern-browser-" + Guid.NewGuid().ToString("N"))).FullName;
        await using var app = DiscernWebApp.Build(["--urls", "http://127.0.0.1:0", $"--Discern:TempDirectory={spool}"]);
        await app.StartAsync();
        var url = app.Urls.First();
        var clip = Path.Combine(spool, "..", $"discern-browser-clip-{Guid.NewGuid():N}.wav");
        await File.WriteAllBytesAsync(clip, Fixtures.DecodedMusicWav);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", ViewportSize = new ViewportSize { Width = 1000, Height = 1400 } });
            var page = await context.NewPageAsync();
            var consoleErrors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };

            await page.GotoAsync(url);
            Assert.Equal("Analyse a file", await page.InnerTextAsync("#drop-title"));
            await page.SetInputFilesAsync("#file", clip);

            var verdict = page.Locator("#verdict");
            await verdict.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 60_000 });
            var english = await verdict.InnerTextAsync();
            Assert.Matches("^(Probably made by|Uncertain)", english);

            // The plot has its residual curve and axes; the timeline has one button per segment, and clicking seeks the player.
            Assert.Equal(1, await page.Locator("#spectrum svg path.residual").CountAsync());
            Assert.True(await page.Locator("#spectrum svg text").CountAsync() > 5);
            int segments = await page.Locator("#timeline button.seg").CountAsync();
            Assert.True(segments >= 2, $"{segments} segments drawn");
            await page.Locator("#timeline button.seg").Nth(1).ClickAsync();
            var position = await page.EvalOnSelectorAsync<double>("#media", "m => m.currentTime");
            Assert.True(position > 0, "clicking a segment seeks the player");
            Assert.Equal(7, await page.Locator("#facts tr").CountAsync());
            // The decoder's exact grid is ticked along the spectrum and named in its caption.
            Assert.True(await page.Locator("#spectrum svg g.grid-line line").CountAsync() > 20);
            Assert.Contains("44,100 Hz / 512", await page.InnerTextAsync("#peaks"));
            var reasonsEnglish = await page.InnerTextAsync("#reasons");
            // What weighed: each measurement the model weighs, in words, with the way it pushed.
            Assert.True(await page.Locator("#weighed li").CountAsync() >= 1);
            Assert.Matches("towards (AI|people)", await page.InnerTextAsync("#weighed"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory(), "page-en.png"), FullPage = true });

            // Switch language: the verdict and labels change, and the choice is remembered on reload.
            await page.ClickAsync("button[data-lang=fr]");
            var french = await verdict.InnerTextAsync();
            Assert.Matches("^(Probablement créée|Incertain)", french);
            Assert.Equal("fr", await page.GetAttributeAsync("html", "lang"));
            // Reasons are said in the page's language from their codes, not in the library's English sentences.
            var reasonsFrench = await page.InnerTextAsync("#reasons");
            if (reasonsEnglish.Length > 0) Assert.NotEqual(reasonsEnglish, reasonsFrench);
            Assert.DoesNotContain("lies between", reasonsFrench);
            Assert.Matches("vers l'(IA|humain)", await page.InnerTextAsync("#weighed"));
            Assert.Contains("multiples exacts", await page.InnerTextAsync("#peaks"));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDirectory(), "page-fr.png"), FullPage = true });
            await page.ReloadAsync();
            Assert.Equal("Analyser un fichier", await page.InnerTextAsync("#drop-title"));

            // A phone-width screen still shows the whole page without horizontal scrolling.
            await page.SetViewportSizeAsync(390, 844);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflow, "the page scrolls sideways at phone width");

            // A wrong file gives a localised error, not a crash.
            var bogus = Path.ChangeExtension(clip, ".mp3");
            await File.WriteAllTextAsync(bogus, "<b>not audio</b>");
            await page.SetInputFilesAsync("#file", bogus);
            await page.Locator("#error").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 30_000 });
            Assert.Contains("Ce n'est pas un fichier audio", await page.InnerTextAsync("#error"));
            File.Delete(bogus);

            Assert.DoesNotContain(consoleErrors, e => !e.Contains("415", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            File.Delete(clip);
            Assert.Empty(Directory.EnumerateFiles(spool));
            Directory.Delete(spool, true);
        }
    }
}
