using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Discern.Tests;

namespace Discern.Web.Tests;

public class ApiTests
{
    private static MultipartFormDataContent Form(byte[] bytes, string name = "song.wav")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        return form;
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Uploads <paramref name="form"/>, waits for the analysis and checks that it failed with <paramref name="errorCode"/>.</summary>
    private static async Task<JsonElement> FailedAnalysis(DiscernFactory factory, MultipartFormDataContent form, string errorCode)
    {
        var client = factory.CreateClient();
        var accepted = await Json(await client.PostAsync("/api/v1/analyses", form));
        var done = await PollUntilFinished(client, accepted.GetProperty("id").GetString()!);
        Assert.Equal("failed", done.GetProperty("status").GetString());
        Assert.Equal(errorCode, done.GetProperty("errorCode").GetString());
        return done;
    }

    private static async Task<JsonElement> PollUntilFinished(HttpClient client, string id)
    {
        for (int i = 0; i < 600; i++)
        {
            var body = await Json(await client.GetAsync($"/api/v1/analyses/{id}"));
            if (body.GetProperty("status").GetString() is "done" or "failed") return body;
            await Task.Delay(50);
        }
        throw new TimeoutException("the analysis did not finish");
    }

    private static void AssertNoSpooledFiles(DiscernFactory factory) =>
        Assert.Empty(Directory.EnumerateFiles(factory.SpoolDirectory));

    [Fact]
    public async Task Health_reports_ok()
    {
        using var factory = new DiscernFactory();
        var body = await Json(await factory.CreateClient().GetAsync("/health"));
        Assert.Equal("ok", body.GetProperty("status").GetString());
        // What the test machine has (scripts/setup.sh installs all three), as a probe would read it.
        var decoders = body.GetProperty("decoders");
        Assert.True(decoders.GetProperty("ffmpeg").GetBoolean());
        Assert.True(decoders.GetProperty("libMpg123").GetBoolean());
        Assert.True(decoders.GetProperty("libVorbisFile").GetBoolean());
    }

    [Fact]
    public async Task Upload_returns_an_id_at_once_and_the_verdict_when_done()
    {
        using var factory = new DiscernFactory();
        var client = factory.CreateClient();
        var response = await client.PostAsync("/api/v1/analyses", Form(Fixtures.MusicWav));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await Json(response);
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal(32, id.Length);
        Assert.Equal($"/api/v1/analyses/{id}", response.Headers.Location!.OriginalString);

        var done = await PollUntilFinished(client, id);
        Assert.Equal("done", done.GetProperty("status").GetString());
        var result = done.GetProperty("result");
        Assert.Equal("song.wav", result.GetProperty("path").GetString());
        Assert.Contains(result.GetProperty("verdict").GetString(), new[] { "ai", "human", "uncertain" });
        var evidence = result.GetProperty("evidence");
        Assert.Equal(22050, evidence.GetProperty("input").GetProperty("sampleRateHz").GetInt32());
        Assert.True(evidence.GetProperty("segments").GetArrayLength() > 0);
        Assert.True(evidence.GetProperty("spectrum").GetProperty("residualDb").GetArrayLength() > 100);
        Assert.StartsWith("discern-lr-", evidence.GetProperty("model").GetProperty("modelId").GetString());
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task Synchronous_variant_and_raw_body_return_the_result_directly()
    {
        using var factory = new DiscernFactory();
        var client = factory.CreateClient();
        using var content = new ByteArrayContent(Fixtures.MusicWav);
        content.Headers.Add("X-File-Name", "raw%20take.wav");
        var response = await client.PostAsync("/api/v1/analyses?wait=true", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json(response);
        Assert.Equal("done", body.GetProperty("status").GetString());
        Assert.Equal("raw take.wav", body.GetProperty("fileName").GetString());
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task Too_large_upload_is_413_and_nothing_is_kept()
    {
        using var factory = new DiscernFactory();
        factory.Settings["Discern:MaxUploadBytes"] = "100000";
        var response = await factory.CreateClient().PostAsync("/api/v1/analyses", Form(Fixtures.MusicWav));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too_large", (await Json(response)).GetProperty("code").GetString());
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task Wrong_type_is_415_sniffed_from_bytes_not_the_name()
    {
        using var factory = new DiscernFactory();
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        var response = await factory.CreateClient().PostAsync("/api/v1/analyses", Form(html, "looks-like.mp3"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = await Json(response);
        Assert.Equal("unsupported_format", body.GetProperty("code").GetString());
        Assert.DoesNotContain("<script>", body.ToString());
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task Empty_request_is_400()
    {
        using var factory = new DiscernFactory();
        var response = await factory.CreateClient().PostAsync("/api/v1/analyses", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("no_file", (await Json(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Corrupt_file_fails_with_a_clear_code_and_no_stack_trace()
    {
        using var factory = new DiscernFactory();
        var done = await FailedAnalysis(factory, Form(Fixtures.CorruptWav()), "corrupt");
        var error = done.GetProperty("result").GetProperty("error").GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain(" at Discern.", error);
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task Full_queue_is_503_with_retry_after_and_unknown_id_is_404()
    {
        using var factory = new DiscernFactory();
        factory.Settings["Discern:MaxConcurrentAnalyses"] = "1";
        factory.Settings["Discern:MaxQueuedAnalyses"] = "1";
        var client = factory.CreateClient();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        factory.Analyses.BeforeEachAnalysis = async ct => { started.TrySetResult(); await gate.Task.WaitAsync(ct); };

        var first = await client.PostAsync("/api/v1/analyses", Form(Fixtures.MusicWav));   // taken by the one worker
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await client.PostAsync("/api/v1/analyses", Form(Fixtures.MusicWav));  // waits in the queue
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var third = await client.PostAsync("/api/v1/analyses", Form(Fixtures.MusicWav));   // no room
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("busy", (await Json(third)).GetProperty("code").GetString());
        Assert.NotNull(third.Headers.RetryAfter);

        gate.SetResult();
        foreach (var r in new[] { first, second })
            Assert.Equal("done", (await PollUntilFinished(client, (await Json(r)).GetProperty("id").GetString()!)).GetProperty("status").GetString());
        AssertNoSpooledFiles(factory);

        var missing = await client.GetAsync("/api/v1/analyses/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("not_found", (await Json(missing)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Delete_forgets_a_result()
    {
        using var factory = new DiscernFactory();
        var client = factory.CreateClient();
        var body = await Json(await client.PostAsync("/api/v1/analyses?wait=true", Form(Fixtures.MusicWav)));
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/analyses/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/analyses/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/v1/analyses/{id}")).StatusCode);
    }

    [Fact]
    public async Task Rate_limit_answers_429_per_client()
    {
        using var factory = new DiscernFactory();
        factory.Settings["Discern:UploadsPerMinutePerClient"] = "2";
        var client = factory.CreateClient();
        var html = "not audio"u8.ToArray();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/api/v1/analyses", Form(html))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/api/v1/analyses", Form(html))).StatusCode);
        var limited = await client.PostAsync("/api/v1/analyses", Form(html));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("rate_limited", (await Json(limited)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("fr-FR,fr;q=0.9,en;q=0.5", "Aucune analyse avec cet identifiant (elle a peut-être expiré).")]
    [InlineData("en-GB,en;q=0.9", "No analysis with this id (it may have expired).")]
    [InlineData("de-DE,en;q=0.8,fr;q=0.5", "No analysis with this id (it may have expired).")]
    public async Task Errors_come_in_the_client_language(string acceptLanguage, string title)
    {
        using var factory = new DiscernFactory();
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Accept-Language", acceptLanguage);
        var body = await Json(await client.GetAsync("/api/v1/analyses/nope"));
        Assert.Equal(title, body.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Page_script_style_and_openapi_are_served_by_the_app_with_a_strict_policy()
    {
        using var factory = new DiscernFactory();
        var client = factory.CreateClient();
        var page = await client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        Assert.DoesNotContain("https://", html);
        var script = await client.GetStringAsync("/app.js");
        Assert.DoesNotContain("innerHTML", script);
        Assert.Contains("fr:", script);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/app.css")).StatusCode);

        var openApi = await Json(await client.GetAsync("/openapi/v1.json"));
        var paths = openApi.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/analyses", out _));
        Assert.True(paths.TryGetProperty("/api/v1/analyses/{id}", out _));
        Assert.True(paths.TryGetProperty("/health", out _));
    }

    [Fact]
    public async Task A_video_without_sound_fails_with_its_own_code()
    {
        using var factory = new DiscernFactory();
        await FailedAnalysis(factory, Form(Signals.VideoWithoutAudio(), "clip.mp4"), "no_audio_track");
        AssertNoSpooledFiles(factory);
    }

    [Fact]
    public async Task The_page_has_a_sentence_in_both_languages_for_every_error_code()
    {
        var codes = typeof(ErrorCodes).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.Contains("no_audio_track", codes);
        await AssertPageTextInBothLanguages(codes.Select(code => "err_" + code));
    }

    [Fact]
    public async Task The_page_says_in_both_languages_what_every_weighed_measurement_is()
    {
        // The page explains "what weighed" with a sentence per feature the model weighs; without one it shows the raw name.
        await AssertPageTextInBothLanguages(Discern.Features.FeatureExtractor.ScoredFeatures.Select(feature => "feature_" + feature));
    }

    /// <summary>Each of <paramref name="keys"/> is defined in the page's script twice: once in English, once in French.</summary>
    private static async Task AssertPageTextInBothLanguages(IEnumerable<string> keys)
    {
        using var factory = new DiscernFactory();
        var script = await factory.CreateClient().GetStringAsync("/app.js");
        foreach (var key in keys)
            Assert.True(script.Split(key + ":").Length - 1 == 2, $"app.js should define {key} once in English and once in French");
    }
}
