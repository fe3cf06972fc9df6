using System.Net;
using System.Text.Json;
using AngleSharp.Html.Parser;

namespace TraceViewer.Tests.Import;

/// <summary>What the upload endpoint answered: the import's result, or the problem's detail.</summary>
internal sealed record UploadAnswer(HttpStatusCode Status, JsonElement? Result, string? Error, string Body)
{
    public int Count(string name) => Result!.Value.GetProperty(name).GetInt32();

    /// <summary>The warnings and counts as one text, for looking for words in.</summary>
    public string Summary => Result is { } result
        ? string.Join("\n", result.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).Prepend($"added {Count("tracesAdded")}"))
        : Body;
}

/// <summary>Uploads as the import page's script does: the page's antiforgery token in the header, JSON asked for.</summary>
internal static class UploadClient
{
    public static async Task<string> TokenAsync(HttpClient client)
    {
        var page = await new HtmlParser().ParseDocumentAsync(await client.GetStringAsync("/import"));
        var token = page.QuerySelector("[data-testid=import-form] input[type=hidden][name=__RequestVerificationToken]")?.GetAttribute("value");
        Assert.False(string.IsNullOrEmpty(token));
        return token;
    }

    public static MultipartFormDataContent Content(params (string Field, string FileName, byte[] Bytes)[] files)
    {
        var content = new MultipartFormDataContent();
        foreach (var (field, fileName, bytes) in files)
        {
            content.Add(new ByteArrayContent(bytes), field, fileName);
        }

        return content;
    }

    /// <summary>Every file below <paramref name="folder"/>, named by its path under <paramref name="prefix"/> as a folder upload names them.</summary>
    public static (string, string, byte[])[] Folder(string folder, string prefix) =>
        [.. Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => ("folder", prefix + "/" + Path.GetRelativePath(folder, f).Replace('\\', '/'), File.ReadAllBytes(f)))];

    /// <param name="cookie">A Cookie header to send, for a client that keeps no cookies of its own.</param>
    public static async Task<UploadAnswer> PostAsync(HttpClient client, HttpContent content, string? token, bool json = true, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/import/upload") { Content = content };
        if (token is not null)
        {
            request.Headers.Add("RequestVerificationToken", token);
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (json)
        {
            request.Headers.Add("Accept", "application/json");
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        JsonElement? result = null;
        string? error = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "application/problem+json")
        {
            var root = JsonDocument.Parse(body).RootElement;
            if (response.IsSuccessStatusCode)
            {
                result = root;
            }
            else
            {
                error = root.TryGetProperty("detail", out var detail) ? detail.GetString() : body;
            }
        }

        return new UploadAnswer(response.StatusCode, result, error, body);
    }

    public static async Task<UploadAnswer> UploadAsync(HttpClient client, params (string Field, string FileName, byte[] Bytes)[] files)
    {
        using var content = Content(files);
        return await PostAsync(client, content, await TokenAsync(client));
    }
}
