using System.Reflection;
using System.Runtime.InteropServices;

namespace Discern.Audio;

/// <summary>
/// Finds the native decoder libraries under the names their runtime packages install. Debian's packages hold only the
/// versioned file (libmpg123.so.0, libvorbisfile.so.3); the unversioned name that the runtime would try comes with the
/// -dev packages. An assembly has one import resolver, so every library is resolved here.
/// </summary>
internal static class NativeLibraries
{
    private static readonly Dictionary<string, string[]> Candidates = new()
    {
        ["mpg123"] = OperatingSystem.IsWindows() ? ["libmpg123-0.dll", "mpg123.dll"]
            : OperatingSystem.IsMacOS() ? ["libmpg123.0.dylib", "libmpg123.dylib"]
            : ["libmpg123.so.0", "libmpg123.so"],
        ["vorbisfile"] = OperatingSystem.IsWindows() ? ["libvorbisfile-3.dll", "vorbisfile.dll"]
            : OperatingSystem.IsMacOS() ? ["libvorbisfile.3.dylib", "libvorbisfile.dylib"]
            : ["libvorbisfile.so.3", "libvorbisfile.so"],
    };

    private static readonly Lazy<bool> Registered = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        return true;
    });

    /// <summary>Installs the resolver (once per process; later calls do nothing).</summary>
    public static void Register() => _ = Registered.Value;

    /// <summary>Loads the library imported as <paramref name="name"/>, if it is installed.</summary>
    public static bool TryLoad(string name, out IntPtr handle)
    {
        handle = Resolve(name, typeof(NativeLibraries).Assembly, null);
        return handle != IntPtr.Zero;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!Candidates.TryGetValue(name, out var candidates)) return IntPtr.Zero;
        foreach (var candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out var handle)) return handle;
        return IntPtr.Zero;
    }
}
