namespace Crawler.Testing;

/// <summary>Files in the states a spec needs.</summary>
public static class TestFiles
{
    /// <summary>Makes <paramref name="path"/> read-only by its mode bits (or its attribute on Windows), which the
    /// crawler honours even when it runs as root, as CI does.</summary>
    public static void MakeReadOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            File.SetAttributes(path, FileAttributes.ReadOnly);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        }
    }
}
