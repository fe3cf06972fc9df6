using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TraceViewer.Components;
using TraceViewer.Data;

namespace TraceViewer.Accounts;

internal static class AccountsExtensions
{
    public const string SignInPath = "/account/sign-in";
    public const string SignOutPath = "/account/sign-out";
    public const string DeniedPath = "/account/denied";
    public const string PasswordPath = "/account/password";
    public const string UsersPath = "/admin/users";
    public const string ReturnUrlParameter = "returnUrl";

    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountsOptions>().BindConfiguration(AccountsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var settings = builder.Configuration.GetSection(AccountsOptions.Section).Get<AccountsOptions>() ?? new AccountsOptions();

        builder.Services.AddSingleton<AccountsState>();
        builder.Services.AddSingleton<SetupLink>();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddScoped<IAccess, CircuitAccess>();
        builder.Services.AddSingleton<IAuthorizationHandler, AccessPolicies.LeastRoleHandler>();
        builder.Services.AddAuthorization(AccessPolicies.Add);
        builder.Services.AddCascadingAuthenticationState();

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = LocalOwner.SelectorScheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(LocalOwner.SelectorScheme, null, options => options.ForwardDefaultSelector = LocalOwner.Select)
            .AddScheme<AuthenticationSchemeOptions, LocalOwner.Handler>(LocalOwner.Scheme, null)
            .AddScheme<AuthenticationSchemeOptions, Sharing.ShareHolder.Handler>(Sharing.ShareHolder.Scheme, null)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie!.Configure(ConfigureCookie));

        builder.Services.AddIdentityCore<IdentityUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = settings.MaxFailedSignIns;
                options.Lockout.DefaultLockoutTimeSpan = settings.LockoutDuration;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<TraceViewerDbContext>()
            .AddSignInManager();
        // A role changed or an account removed reaches signed-in browsers within this time; actions in open pages
        // check the account as it is at once (CircuitAccess).
        builder.Services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        return builder;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie)
    {
        cookie.Cookie.Name = "tv-auth";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.LoginPath = SignInPath;
        cookie.LogoutPath = SignOutPath;
        cookie.AccessDeniedPath = DeniedPath;
        cookie.ReturnUrlParameter = ReturnUrlParameter;
        cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
        cookie.SlidingExpiration = true;
        // Pages are sent to sign in; everything else (the JSON API, uploads, form posts) gets a status and a problem document.
        cookie.Events.OnRedirectToLogin = context => IsPageRequest(context.Request)
            ? Redirect(context)
            : Problem(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign-in required", "Sign in to TraceViewer first.");
        cookie.Events.OnRedirectToAccessDenied = context => IsPageRequest(context.Request)
            ? Redirect(context)
            : Problem(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed", "Your role does not allow this.");
    }

    private static bool IsPageRequest(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        && !request.Path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task Problem(HttpContext context, int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);

    /// <summary>Looks again whether accounts exist (cheap, and only while there are none), then authenticates and authorizes.</summary>
    public static IApplicationBuilder UseAccounts(this IApplicationBuilder app)
    {
        app.Use(async (context, next) =>
        {
            await context.RequestServices.GetRequiredService<AccountsState>().RefreshAsync(ct: context.RequestAborted);
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        app.MapPost(SignOutPath, (Func<HttpContext, Task<RedirectHttpResult>>)SignOutAsync).RequireAntiforgery().AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<RedirectHttpResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        return TypedResults.Redirect(SignInPath + "?signedOut=true");
    }

    /// <summary>
    /// Answers with <paramref name="status"/> and the account page's own message, with the status-code pages turned off
    /// for it. Not 404: Blazor leaves a 404 page's body to the not-found page, which needs a signed-in user.
    /// </summary>
    public static void SetStatus(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        if (context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }
    }

    /// <summary>A return address only when it stays on this site (a path, not //host or /\host).</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains('\n', StringComparison.Ordinal)
            ? url
            : "/";
}
