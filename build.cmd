:; # A bash/cmd polyglot (as AngleSharp's and Akka.Hosting's): on Linux and macOS it hands over to build.sh.
:; exec "$(dirname "$0")/build.sh" "$@"
@ECHO OFF
REM Build, test and run the crawler with the .NET SDK alone (Windows): build, test, run -- ARGS, demo, bench.
REM This file keeps LF line endings so that its first lines also run under bash; it uses no labels for that reason.
SETLOCAL ENABLEDELAYEDEXPANSION
SET DOTNET_CLI_TELEMETRY_OPTOUT=1
SET DOTNET_NOLOGO=1
PUSHD "%~dp0"
SET VERB=%1
IF "%VERB%"=="" SET VERB=build
SET ARGS=
SET FIRST=1
FOR %%A IN (%*) DO (
  IF !FIRST!==1 (SET FIRST=0) ELSE (IF NOT "%%~A"=="--" SET ARGS=!ARGS! %%A)
)
SET RC=0
IF /I "%VERB%"=="build" dotnet build Crawler.sln -c Release & SET RC=!ERRORLEVEL!
IF /I "%VERB%"=="run" dotnet run --project src\Crawler -c Release -- !ARGS! & SET RC=!ERRORLEVEL!
IF /I "%VERB%"=="demo" dotnet run --project src\Crawler -c Release -- demo !ARGS! & SET RC=!ERRORLEVEL!
IF /I "%VERB%"=="bench" dotnet run --project bench\Crawler.Bench -c Release -- !ARGS! & SET RC=!ERRORLEVEL!
IF /I "%VERB%"=="test" (
  SET RESULTS=%TEMP%\crawler-tests-%RANDOM%
  dotnet test Crawler.sln --logger trx --results-directory "!RESULTS!"
  SET RC=!ERRORLEVEL!
  SET /A PASSED=0
  SET /A FAILED=0
  FOR %%F IN ("!RESULTS!\*.trx") DO (
    FOR /F "tokens=*" %%L IN ('findstr /C:"<Counters " "%%F"') DO (
      SET LINE=%%L
      FOR /F "tokens=2 delims==" %%P IN ("!LINE:* passed=passed!") DO SET P=%%~P
      FOR /F "tokens=2 delims==" %%Q IN ("!LINE:* failed=failed!") DO SET Q=%%~Q
      FOR /F "tokens=1 delims= " %%X IN ("!P!") DO SET /A PASSED+=%%~X
      FOR /F "tokens=1 delims= " %%Y IN ("!Q!") DO SET /A FAILED+=%%~Y
    )
  )
  IF NOT "!RC!"=="0" IF "!FAILED!"=="0" SET /A FAILED=1
  ECHO !PASSED! passed, !FAILED! failed
  RMDIR /S /Q "!RESULTS!" 2>NUL
)
POPD
EXIT /B %RC%
