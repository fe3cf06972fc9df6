# Build with the .NET 10 SDK, run on the ASP.NET Core 10 runtime image.
#   docker build -t traceviewer .
#   docker run -p 127.0.0.1:8080:8080 -v traceviewer-data:/data traceviewer
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, so the package layer is reused until a project or package version changes. The app is published
# ReadyToRun (precompiled for linux-x64, still on the shared framework): less compiled at start-up and while a command
# runs (docs/decisions/0059); the restore brings the compiler's package.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/TraceViewer/TraceViewer.csproj src/TraceViewer/
RUN dotnet restore src/TraceViewer/TraceViewer.csproj -r linux-x64 -p:PublishReadyToRun=true

# The app compiles the migrations from migrations/ and serves wwwroot/ through the src/TraceViewer/wwwroot link.
COPY wwwroot/ wwwroot/
COPY migrations/ migrations/
COPY src/ src/
RUN dotnet publish src/TraceViewer/TraceViewer.csproj -c Release --no-restore -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./

# The SQLite file lives on a volume; migrations run and the sample data is imported on first start.
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data
# The app listens on all of the container's interfaces, which without accounts it refuses unless told that this is
# meant: publish the port on the host's loopback only (docker run -p 127.0.0.1:8080:8080), or create an account
# (docker exec <container> dotnet TraceViewer.dll users add <email> --role admin), which turns sign-in on.
ENV ConnectionStrings__TraceViewer="Data Source=/data/traceviewer.db" \
    ASPNETCORE_HTTP_PORTS=8080 \
    Accounts__AllowAnonymousBeyondLoopback=true
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "TraceViewer.dll"]
