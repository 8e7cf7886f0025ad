"""Store customers: staff CRUD, groups, addresses and storefront sign-in."""
