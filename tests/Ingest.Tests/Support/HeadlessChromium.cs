using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ingest.Tests.Support;

/// <summary>
/// A real headless Chromium driven over the DevTools protocol: one page, navigate, evaluate JavaScript. Written here
/// rather than taken from a package because the protocol needs a WebSocket and a handful of JSON messages, and CI
/// installs Debian's <c>chromium</c> (scripts/browser.sh), nothing else. Console errors, uncaught exceptions and
/// browser log entries (a Content-Security-Policy violation among them) are collected in <see cref="Problems"/>.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Set to 1 in CI (.ci/run): a missing browser fails the browser tests instead of skipping them.</summary>
    public const string RequireVariable = "CI_REQUIRE_BROWSER";

    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentQueue<string> _problems = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>Console errors, uncaught exceptions and browser log warnings and errors, in order.</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    /// <summary>The chromium executable on PATH (Debian: chromium), or null.</summary>
    public static string? FindExecutable()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
        {
            foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                var path = Path.Combine(folder, name);
                if (folder.Length > 0 && File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    public static async Task<HeadlessChromium> StartAsync(TimeSpan? timeout = null)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException(
            $"chromium is not installed but {RequireVariable}=1 requires the browser tests: run scripts/browser.sh (apt-get install -y chromium).");
        var profile = Path.Combine(Path.GetTempPath(), "ingest-tests-chromium", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--remote-debugging-port=0", "--user-data-dir=" + profile,
            // CI runs as root, where Chromium's sandbox cannot start; the page under test is our own.
            "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start.");
        var output = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync(timeout ?? TimeSpan.FromSeconds(60));
            return browser;
        }
        catch (Exception ex)
        {
            await browser.DisposeAsync();
            string said;
            lock (output)
            {
                said = output.ToString();
            }
            throw new InvalidOperationException($"{executable} did not open its DevTools endpoint: {ex.Message}\n{said}", ex);
        }
    }

    private async Task ConnectAsync(TimeSpan timeout)
    {
        // Chromium writes the port it bound (and the browser's WebSocket path) into this file once it listens.
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + timeout;
        string[] lines = [];
        while (lines.Length < 2 || lines[0].Length == 0)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"it exited with code {_process.ExitCode}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no {portFile} after {timeout.TotalSeconds} s");
            }
            await Task.Delay(50);
            try
            {
                lines = File.Exists(portFile) ? await File.ReadAllLinesAsync(portFile) : [];
            }
            catch (IOException)
            {
                lines = []; // being written
            }
        }
        int port = int.Parse(lines[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = timeout };
        string? pageSocket = null;
        while (pageSocket is null)
        {
            using var targets = JsonDocument.Parse(await http.GetStringAsync("json/list"));
            pageSocket = targets.RootElement.EnumerateArray()
                .Where(t => t.GetProperty("type").GetString() == "page")
                .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString())
                .FirstOrDefault();
            if (pageSocket is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("no page target");
                }
                await Task.Delay(50);
            }
        }
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await _socket.ConnectAsync(new Uri(pageSocket), CancellationToken.None);
        _receiving = Task.Run(ReceiveLoopAsync);
        await SendAsync("Runtime.enable");
        await SendAsync("Log.enable");
        await SendAsync("Page.enable");
    }

    /// <summary>Loads <paramref name="url"/> and waits until the document (and its deferred script) has loaded.</summary>
    public async Task NavigateAsync(Uri url)
    {
        var result = await SendAsync("Page.navigate", new JsonObject { ["url"] = url.ToString() });
        if (result.TryGetProperty("errorText", out var error))
        {
            throw new InvalidOperationException($"navigating to {url} failed: {error.GetString()}");
        }
        await Infrastructure.Eventually.TrueAsync(async () =>
            (await EvaluateAsync("document.readyState")).GetString() == "complete", $"{url} loaded", TimeSpan.FromSeconds(30));
    }

    /// <summary>The value of a JavaScript expression in the page (promises awaited); throws on a JavaScript exception.</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject
        {
            ["expression"] = expression,
            ["returnByValue"] = true,
            ["awaitPromise"] = true,
        });
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"JavaScript threw evaluating `{expression}`: {exception}");
        }
        var value = result.GetProperty("result");
        return value.TryGetProperty("value", out var v) ? v : default;
    }

    /// <summary>Sends one protocol command and returns its result.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        return await reply.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var received = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage)
                {
                    continue;
                }
                using var document = JsonDocument.Parse(message.ToArray());
                message.SetLength(0);
                Dispatch(document.RootElement);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Closing.
        }
        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("the DevTools connection closed"));
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_pending.TryRemove(id.GetInt32(), out var reply))
            {
                if (message.TryGetProperty("error", out var error))
                {
                    reply.TrySetException(new InvalidOperationException($"DevTools error: {error}"));
                }
                else
                {
                    reply.TrySetResult(message.GetProperty("result").Clone());
                }
            }
            return;
        }
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        switch (message.GetProperty("method").GetString())
        {
            case "Runtime.exceptionThrown":
                _problems.Enqueue("exception: " + parameters.GetProperty("exceptionDetails"));
                break;
            case "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "warning":
                _problems.Enqueue("console: " + parameters.GetProperty("args"));
                break;
            case "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() is "error" or "warning":
                var entry = parameters.GetProperty("entry");
                _problems.Enqueue($"log ({entry.GetProperty("source")}): {entry.GetProperty("text")}"
                    + (entry.TryGetProperty("url", out var url) ? " " + url : ""));
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or it will be reaped with the test process.
        }
        await _receiving.ConfigureAwait(false);
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash-reporter file still open; the temporary folder is cleaned by the system.
        }
    }
}

/// <summary>
/// A test that needs <see cref="HeadlessChromium"/>. Skipped, saying why, when no chromium is installed on a
/// developer's machine; run (and failing on the missing browser) when <c>CI_REQUIRE_BROWSER=1</c>, as CI sets it.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (HeadlessChromium.FindExecutable() is null && Environment.GetEnvironmentVariable(HeadlessChromium.RequireVariable) != "1")
        {
            Skip = "chromium is not installed: apt-get install -y chromium (scripts/browser.sh) to run the status page in a real browser. " +
                $"CI sets {HeadlessChromium.RequireVariable}=1, where a missing browser fails this test.";
        }
    }
}
