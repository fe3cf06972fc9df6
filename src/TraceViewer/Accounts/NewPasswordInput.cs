using System.ComponentModel.DataAnnotations;

namespace TraceViewer.Accounts;

/// <summary>A new password typed twice; Identity's rules (length, kinds of characters) are checked when it is set.</summary>
public class NewPasswordInput
{
    [Required(ErrorMessage = "Choose a password.")]
    [StringLength(200, MinimumLength = 10, ErrorMessage = "A password has at least 10 characters.")]
    public string Password { get; set; } = "";

    [Compare(nameof(Password), ErrorMessage = "The two passwords differ.")]
    public string Confirm { get; set; } = "";
}

/// <summary>The first admin: an email and a new password.</summary>
public sealed class FirstAdminInput : NewPasswordInput
{
    [Required(ErrorMessage = "Enter your email address.")]
    [EmailAddress(ErrorMessage = "Enter an email address.")]
    public string Email { get; set; } = "";
}

/// <summary>The current password and a new one.</summary>
public sealed class ChangePasswordInput : NewPasswordInput
{
    [Required(ErrorMessage = "Enter your current password.")]
    public string Current { get; set; } = "";
}
