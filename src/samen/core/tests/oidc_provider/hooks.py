"""The provider's claims: name and verified e-mail from the user, the groups (Django groups)
and, for members of the group "mfa", `amr` saying the provider did multi-factor login."""


def userinfo(claims, user):
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    claims["email"] = user.email
    claims["email_verified"] = True
    return claims


def id_token(id_token, user, **kwargs):
    groups = sorted(user.groups.values_list("name", flat=True))
    id_token["groups"] = [g for g in groups if g != "mfa"]
    id_token["amr"] = ["pwd", "otp"] if "mfa" in groups else ["pwd"]
    return id_token
