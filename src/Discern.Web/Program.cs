using Discern.Web;

await DiscernWebApp.Build(args).RunAsync();

/// <summary>Entry point, public so that tests can host the app with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
