# idbpq --version prints "idbpq X.Y.Z".
"$IDBPQ" --version
