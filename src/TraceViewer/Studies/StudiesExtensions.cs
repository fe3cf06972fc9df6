namespace TraceViewer.Studies;

internal static class StudiesExtensions
{
    public static IHostApplicationBuilder AddStudies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<StudyQueries>();
        return builder;
    }
}
