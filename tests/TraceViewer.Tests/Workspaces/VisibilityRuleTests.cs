using TraceViewer.Accounts;
using TraceViewer.Workspaces;

namespace TraceViewer.Tests.Workspaces;

/// <summary>The visibility rule on its own: each kind of caller against each visibility, in and out of its workspaces.</summary>
public sealed class VisibilityRuleTests
{
    private const int Alpha = 7;
    private const int Beta = 8;

    private static readonly DatasetPlacement[] Datasets =
    [
        new(1, Alpha, DatasetVisibility.Workspace),
        new(2, Beta, DatasetVisibility.Workspace),
        new(3, Beta, DatasetVisibility.SignedIn),
        new(4, Beta, DatasetVisibility.Public),
        new(5, Workspace.DefaultId, DatasetVisibility.Workspace),
    ];

    private static readonly int[] OnlyPublic = [4];

    private static Viewer Member(params int[] workspaces) =>
        new(ViewerKind.SignedIn, VisibilityRule.WorkspaceRoles(Roles.Reader, workspaces.Select(w => (w, Roles.Annotator))).Keys.ToHashSet());

    public static TheoryData<string, int[]?> Matrix => new()
    {
        { "unrestricted", null },
        { "member of alpha", [1, 3, 4, 5] },
        { "member of beta", [2, 3, 4, 5] },
        { "member of both", [1, 2, 3, 4, 5] },
        { "signed in, member of none", [3, 4, 5] },
        { "signed out", [4] },
        { "share of dataset 2", [2, 4] },
        { "share of a dataset that is gone", [4] },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public void EachCallerReadsExactlyItsDatasets(string caller, int[]? expected)
    {
        var viewer = caller switch
        {
            "unrestricted" => Viewer.Everything,
            "member of alpha" => Member(Alpha),
            "member of beta" => Member(Beta),
            "member of both" => Member(Alpha, Beta),
            "signed in, member of none" => Member(),
            "signed out" => Viewer.SignedOut,
            "share of dataset 2" => new Viewer(ViewerKind.ShareHolder, new HashSet<int>(), 2),
            _ => new Viewer(ViewerKind.ShareHolder, new HashSet<int>(), null),
        };

        Assert.Equal(expected, VisibilityRule.Visible(viewer, Datasets));
    }

    [Fact]
    public void AShareHolderOrASignedOutVisitorIsNoMemberOfAnyWorkspace()
    {
        // Workspace membership never reaches a share holder, even with a workspace set listed.
        var holder = new Viewer(ViewerKind.ShareHolder, new HashSet<int> { Alpha, Workspace.DefaultId }, 4);
        var signedOut = new Viewer(ViewerKind.SignedOut, new HashSet<int> { Alpha });

        Assert.Equal(OnlyPublic, VisibilityRule.Visible(holder, Datasets));
        Assert.Equal(OnlyPublic, VisibilityRule.Visible(signedOut, Datasets));
    }

    [Fact]
    public void RolesArePerWorkspaceAndTheAccountRoleHoldsInTheDefaultWorkspace()
    {
        var roles = VisibilityRule.WorkspaceRoles(Roles.Reader, [(Alpha, "Annotator"), (Beta, Roles.Researcher), (9, "owner")]);

        Assert.Equal(Roles.Annotator, roles[Alpha]);
        Assert.Equal(Roles.Researcher, roles[Beta]);
        Assert.Equal(Roles.Reader, roles[Workspace.DefaultId]);
        Assert.False(roles.ContainsKey(9));
        Assert.Empty(VisibilityRule.WorkspaceRoles(null, []));
    }
}
