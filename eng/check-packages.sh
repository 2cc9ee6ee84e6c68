#!/usr/bin/env bash
# Proves the packages work as a user consumes them: packs every package of the repository into a
# local folder feed, builds and runs samples/QuickStart against the packed library (not the
# project), installs the agentpipe tool from the feed into a temporary tool path and runs
# `agentpipe demo` and `agentpipe runs` with it. Missing content, wrong dependencies or missing
# native assets fail here. Each check packs a version of its own (VersionPrefix-check.<time>), so
# NuGet's global cache never hands back an older build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

feed="$repo/artifacts/packages"
suffix="check.$(date -u +%Y%m%d%H%M%S)"
prefix=$(dotnet msbuild src/AgentPipeline.Persistence -getProperty:VersionPrefix)
version="$prefix-$suffix"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== pack $version into $feed"
rm -rf "$feed"
for project in src/AgentPipeline.Persistence src/AgentPipeline.Cli; do
  dotnet pack "$project" -c Release -o "$feed" -p:VersionSuffix="$suffix" -v q
done
for package in "AgentPipeline.Persistence.$version.nupkg" "AgentPipeline.Persistence.$version.snupkg" "agentpipe.$version.nupkg"; do
  test -s "$feed/$package" || { echo "missing package: $package"; exit 1; }
done
# What a package page shows: the readme, licence, description and XML docs must be inside.
nuspec=$(unzip -p "$feed/AgentPipeline.Persistence.$version.nupkg" AgentPipeline.Persistence.nuspec)
for element in '<readme>README.md</readme>' '<license type="expression">MIT</license>' '<description>' '<tags>' '<repository '; do
  grep -qF "$element" <<<"$nuspec" || { echo "AgentPipeline.Persistence.nuspec lacks $element"; exit 1; }
done
# Listings are read whole first: with pipefail, `unzip | grep -q` fails when grep stops reading early.
files=$(unzip -l "$feed/AgentPipeline.Persistence.$version.nupkg")
grep -qF 'lib/net10.0/AgentPipeline.Persistence.xml' <<<"$files" || { echo "the library package lacks its XML docs"; exit 1; }
symbols=$(unzip -l "$feed/AgentPipeline.Persistence.$version.snupkg")
grep -qF 'lib/net10.0/AgentPipeline.Persistence.pdb' <<<"$symbols" || { echo "the symbols package lacks the PDB"; exit 1; }

echo "== samples/QuickStart against the packed library"
dotnet run --project samples/QuickStart -c Release -p:AgentPipelineVersion="$version" -- "$work/quickstart.db" | tee "$work/sample.out"
grep -q '^quickstart: ok$' "$work/sample.out"
# It built against the package, not the project:
grep -rq "\"AgentPipeline.Persistence/$version\"" samples/QuickStart/obj/project.assets.json \
  || { echo "the sample did not restore AgentPipeline.Persistence $version"; exit 1; }

echo "== agentpipe as a .NET tool"
dotnet tool install agentpipe --tool-path "$work/tools" --add-source "$feed" --version "$version"
mkdir "$work/demo"
(cd "$work/demo" && "$work/tools/agentpipe" demo) | tee "$work/demo.out"
test -s "$work/demo/pipeline.db"
# Started as the tool, the suggested next commands are agentpipe commands, not `dotnet run`.
grep -q 'agentpipe show' "$work/demo.out" || { echo "the demo's next steps do not say agentpipe"; exit 1; }
if grep -q 'dotnet run' "$work/demo.out"; then echo "the demo's next steps say dotnet run"; exit 1; fi
(cd "$work/demo" && "$work/tools/agentpipe" runs) | tee "$work/runs.out"
test -s "$work/runs.out"
echo "== packages ok: $version"
