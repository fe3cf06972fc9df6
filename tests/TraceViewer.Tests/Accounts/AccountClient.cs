using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TraceViewer.Accounts;

namespace TraceViewer.Tests.Accounts;

/// <summary>A browser-like client of the test app: keeps cookies, does not follow redirects, fills the account pages' forms.</summary>
internal static class AccountClient
{
    public static HttpClient NewClient(this TestApp app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public static async Task<IHtmlDocument> PageAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"GET {url}: {(int)response.StatusCode} {response.Headers.Location}, expected {(int)expected}\n{html}");
        return new HtmlParser().ParseDocument(html);
    }

    /// <summary>Opens the page, fills the form with <paramref name="fields"/> (by the inputs' ids) and posts it with its hidden fields (antiforgery token, form name).</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, string url, string formTestId, IReadOnlyDictionary<string, string> fields)
    {
        var page = await client.PageAsync(url);
        var form = page.QuerySelector($"form[data-testid={formTestId}]") ?? throw new InvalidOperationException($"No form {formTestId} on {url}:\n{page.Body?.InnerHtml}");
        var values = form.QuerySelectorAll("input[type=hidden]").Cast<IHtmlInputElement>().ToDictionary(i => i.Name!, i => i.Value);
        foreach (var (id, value) in fields)
        {
            var input = form.QuerySelector($"#{id}") as IHtmlInputElement ?? throw new InvalidOperationException($"No input #{id} in {formTestId}");
            values[input.Name!] = value;
        }

        // A form without an action posts to its own page.
        var action = form.GetAttribute("action") is { Length: > 0 } target ? target : url;
        return await client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    public static Task<HttpResponseMessage> SignInAsync(this HttpClient client, string email, string password = AccountSeeder.Password) =>
        client.SubmitAsync(AccountsExtensions.SignInPath, "sign-in-form", new Dictionary<string, string> { ["email"] = email, ["password"] = password });

    /// <summary>A client signed in as a new account with <paramref name="role"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(this TestApp app, string role, string? email = null)
    {
        email ??= $"{role}-{Guid.NewGuid():N}@example.test";
        await app.AddAccountAsync(email, role);
        var client = app.NewClient();
        var response = await client.SignInAsync(email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
