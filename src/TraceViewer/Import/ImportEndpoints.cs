using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TraceViewer.Components;

namespace TraceViewer.Import;

/// <summary>
/// The upload behind the import page: a multipart POST of the chosen files, streamed to a temporary folder, imported,
/// and answered with what was imported (JSON) or a problem document that names the file, field or limit. It needs the
/// antiforgery token in the RequestVerificationToken header, so a page on another site cannot upload into this one.
/// </summary>
internal static class ImportEndpoints
{
    public const string UploadPath = "/import/upload";

    /// <summary>Errors about the upload as a whole name it so, not by its temporary folder.</summary>
    public const string UploadName = "the upload";

    public static IEndpointRouteBuilder MapImport(this IEndpointRouteBuilder app)
    {
        app.MapPost(UploadPath, UploadAsync).RequireAntiforgery().RequireAuthorization(Accounts.AccessPolicies.Research).ExcludeFromDescription().WithName("ImportUpload");
        return app;
    }

    /// <summary>The form field that names the workspace new datasets go to (by name, or by id); without it, the default workspace.</summary>
    public const string WorkspaceField = "workspace";

    internal static async Task<Results<Ok<ImportResultView>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, [FromQuery] Guid? progress, ImportService importer, ImportProgressBoard board, IOptions<ImportOptions> options,
        System.Security.Claims.ClaimsPrincipal user, Traces.WorkspaceWrites writes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Problem(StatusCodes.Status400BadRequest, "Not an upload", "Send the files as multipart/form-data.");
        }

        string root;
        try
        {
            root = Directory.CreateTempSubdirectory("traceviewer-upload-").FullName;
        }
        catch (IOException e)
        {
            return Problem(StatusCodes.Status507InsufficientStorage, "Upload not saved", "the upload could not be saved: " + e.Message);
        }

        var limits = options.Value;
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "files")).FullName;
            var zips = Directory.CreateDirectory(Path.Combine(root, "zips")).FullName;
            var total = request.ContentLength ?? 0;
            // The account-wide role passed the endpoint's policy; the role in the chosen workspace is checked as soon as the
            // field arrives (the page sends it before the files), else before anything is imported.
            ImportWorkspace? workspace = null;
            async Task ChooseAsync(string nameOrId)
            {
                workspace = await importer.WorkspaceAsync(nameOrId, ct)
                    ?? throw new WorkspaceRefusedException(StatusCodes.Status400BadRequest, $"There is no workspace named \"{nameOrId}\". Nothing was imported.");
                if (await writes.RefusalInWorkspacesAsync(user, Accounts.AccessPolicies.Research, [workspace.Id], ct) is { } refusal)
                {
                    throw new WorkspaceRefusedException(StatusCodes.Status403Forbidden, refusal + " Nothing was imported.");
                }
            }

            var saved = await ImportUpload.SaveAsync(new MultipartReader(boundary, request.Body), folder, zips, limits,
                new ImportProgressBoard.Callback<long>(bytes => board.Report(progress, new ImportStage("saving", bytes, total))), ct,
                (name, value) => name == WorkspaceField && workspace is null ? ChooseAsync(value.Trim()) : Task.CompletedTask);
            if (saved.Files == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "Nothing to import", "Choose a folder or a file to import.");
            }

            if (workspace is null)
            {
                await ChooseAsync(Workspaces.Workspace.DefaultName);
            }

            var summary = await importer.ImportAsync(folder, namesAboveRoot: false, board.For(progress), ct, UploadName, workspace!.Id);
            return TypedResults.Ok(ImportResultView.From(summary));
        }
        catch (WorkspaceRefusedException e)
        {
            return Problem(e.Status, e.Status == StatusCodes.Status403Forbidden ? "Not allowed" : "No such workspace", e.Message);
        }
        catch (UploadLimitException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload refused", e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload refused", ImportUploadLimits.TooLarge(limits));
        }
        catch (ImportException e)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Nothing was imported", e.Message);
        }
        catch (DatabaseWriteException e)
        {
            return Problem(StatusCodes.Status507InsufficientStorage, "Nothing was imported", e.Message);
        }
        catch (InvalidDataException e)
        {
            // A multipart body that breaks its own format (a section's headers too long, a boundary missing).
            return Problem(StatusCodes.Status400BadRequest, "Not a readable upload", $"the upload could not be read: {e.Message}. Nothing was imported.");
        }
        catch (Exception e) when (e is not OperationCanceledException and not BadHttpRequestException and not IOException)
        {
            // Every expected failure is named above; anything else still answers with a message, not a stack trace.
            return Problem(StatusCodes.Status500InternalServerError, "Nothing was imported",
                $"the import failed unexpectedly ({e.GetType().Name}: {e.Message}); nothing was imported");
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is cleaned by the system; the answer matters more.
            }
        }
    }

    /// <summary>The chosen workspace is unknown (400) or the role there does not allow importing (403).</summary>
    private sealed class WorkspaceRefusedException(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
