#!/bin/sh
# A git "textconv" filter for committed platc output: what `git diff` and
# pull-request views show of a generated file, without its provenance —
# content hashes (`plat.dev/content-hash`, `plat:content-hash` and the
# SageMaker tag's `"Value"` line after it, `contentHash`, `# content-hash:`),
# the git commit a build came from (the `plat:commit` tag objects and
# metadata entries of SageMaker requests and training DAGs) and source
# positions (`teams/web.plat:12` becomes `<source>`) — so a
# committed output diff shows only what changes in the cloud. The files
# themselves are unchanged; `platc diff` ignores the same lines.
#
#   git config diff.plat.textconv "sh examples/ci/plat-textconv.sh"
#   (and the attributes in examples/ci/gitattributes)
exec sed -E \
  -e '/^[[:space:]]*[{]$/{
N
/plat:commit/{N;N;d;}
P;D
}' \
  -e '/plat:commit/d' \
  -e '/"Key": "plat:content-hash"/{N;d;}' \
  -e '/content-hash|contentHash/d' \
  -e 's#[^ 	"'"'"'(=,[{]*\.plat:[0-9]+(:[0-9]+)?#<source>#g' \
  "$1"
