// Two tiny features for the dependency rules' own test: Pure must not refer to Shell, yet Leaky does so only inside a
// method body, where a reading of signatures alone would miss it.
namespace TraceViewer.Tests.Architecture.Sample.Shell
{
    internal static class Banner
    {
        public static string Text() => "shell";
    }
}

namespace TraceViewer.Tests.Architecture.Sample.Pure
{
    internal static class Clean
    {
        public static int Twice(int x) => 2 * x;
    }

    internal static class Leaky
    {
        public static int Length(int x) => x + Shell.Banner.Text().Length;
    }
}
