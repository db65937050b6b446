"""Business logic: what each operation does, independent of HTTP and of AWS details."""
